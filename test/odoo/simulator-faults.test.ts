/** The simulator's fault injection, its transactions, and isolation between instances. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOdooClient } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { fixedRandom, profileFor, recordingSleep } from './support/clients.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

async function version(url: string): Promise<number> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { service: 'common', method: 'version', args: [] },
      id: 1,
    }),
  });
  await response.text();
  return response.status;
}

test('down modes: refused connections, reset sockets, proxy error pages', async () => {
  const sim = await startOdooSimulator();
  try {
    const odoo = createOdooClient(
      profileFor(sim, 'jsonrpc', { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }),
    );
    await sim.faults.setDown('refuse');
    await assert.rejects(
      odoo.version(),
      (error: Error & { code?: string }) =>
        error.code === 'ODOO_UNAVAILABLE' && error.message.includes('ECONNREFUSED'),
    );
    await sim.faults.setDown(502);
    assert.equal(await version(sim.url), 502);
    await sim.faults.setDown(504);
    await assert.rejects(odoo.version(), { code: 'ODOO_UNAVAILABLE', message: /HTTP 504/ });
    await sim.faults.setDown('reset');
    await assert.rejects(odoo.version(), { code: 'ODOO_UNAVAILABLE' });
    await sim.faults.setDown(false);
    assert.equal((await odoo.version()).serverSerie, '17.0');
  } finally {
    await sim.close();
  }
});

test('the error rate draws from the injected random source', async () => {
  const sim = await startOdooSimulator({ random: fixedRandom(0.1, 0.9, 0.3) });
  try {
    sim.faults.setErrorRate(0.5, 503);
    assert.deepEqual(
      [await version(sim.url), await version(sim.url), await version(sim.url)],
      [503, 200, 503],
    );
  } finally {
    await sim.close();
  }
});

test('two simulators in one process share nothing', async () => {
  const [first, second] = await Promise.all([startOdooSimulator(), startOdooSimulator()]);
  try {
    assert.notEqual(first.url, second.url);
    const id = await createOdooClient(profileFor(first, 'json2')).call<number>(
      'res.partner',
      'create',
      [{ name: 'Only In First' }],
    );
    assert.equal(id, 44);
    assert.equal(second.db.searchRead('res.partner', [['name', '=', 'Only In First']]).length, 0);
    assert.equal(
      await createOdooClient(profileFor(second, 'json2')).call('res.partner', 'create', [
        { name: 'Only In Second' },
      ]),
      44,
    );
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test('concurrent writes to one record: the later commit fails with a serialization failure', async () => {
  const sim = await startOdooSimulator();
  const listener = await startWebhookListener();
  try {
    let open!: () => void;
    let arrived!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const webhookArrived = new Promise<void>((resolve) => (arrived = resolve));
    listener.setProbe('/hold', () => {
      arrived();
      return gate;
    });
    await sim.db.call('base.automation', 'create', [
      {
        name: 'hold',
        model_id: 560,
        trigger: 'on_state_set',
        trigger_field_ids: [[6, 0, [7217]]],
        trg_selection_field_id: 1210,
        action_server_ids: [
          [
            0,
            0,
            {
              name: 'hold',
              model_id: 560,
              state: 'webhook',
              webhook_url: `${listener.url}/hold`,
              webhook_field_ids: [[6, 0, [7214]]],
            },
          ],
        ],
      },
    ]);
    // The confirmation waits on its webhook (held open by the listener) while another call writes the same order.
    const confirming = sim.db.call('sale.order', 'action_confirm', [[1]]);
    await webhookArrived;
    await sim.db.call('sale.order', 'write', [[1], { client_order_ref: 'written meanwhile' }]);
    open();
    await assert.rejects(confirming, { qualifiedName: 'psycopg2.errors.SerializationFailure' });
    const [order] = sim.db.searchRead(
      'sale.order',
      [['id', '=', 1]],
      ['state', 'client_order_ref'],
    );
    assert.deepEqual(order, { id: 1, state: 'draft', client_order_ref: 'written meanwhile' });
    const odoo = createOdooClient(profileFor(sim, 'jsonrpc'), { sleep: recordingSleep().sleep });
    await assert.rejects(odoo.call('sale.order', 'read', [[1]], { fields: ['nope'] }), {
      code: 'ODOO_UNKNOWN_FIELD',
    });
  } finally {
    await sim.close();
    await listener.close();
  }
});
