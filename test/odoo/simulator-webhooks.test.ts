/**
 * Automation-rule webhooks as Odoo 17 sends them (see the fixtures README): inside the
 * RPC call, before the change is committed, never retried, and sent even when the call
 * then fails and nothing is committed. A webhook is a hint to re-read, not a fact.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOdooClient } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { profileFor, recordingSleep } from './support/clients.ts';
import { startWebhookListener, type WebhookListener } from './support/webhook-listener.ts';

const SALE_ORDER_MODEL = 560;

describe('outgoing webhooks', () => {
  let sim: OdooSimulator;
  let listener: WebhookListener;

  before(async () => {
    sim = await startOdooSimulator({ webhookTimeoutMs: 100 });
    listener = await startWebhookListener();
    // The rule of automation-01: sale.order state set to "sale" -> webhook with name and state.
    await sim.db.call('base.automation', 'create', [
      {
        name: 'confirmed',
        model_id: SALE_ORDER_MODEL,
        trigger: 'on_state_set',
        trigger_field_ids: [[6, 0, [7217]]],
        trg_selection_field_id: 1210,
        action_server_ids: [
          [
            0,
            0,
            {
              name: 'hook',
              model_id: SALE_ORDER_MODEL,
              state: 'webhook',
              webhook_url: `${listener.url}/confirmed`,
              webhook_field_ids: [[6, 0, [7214, 7217]]],
            },
          ],
        ],
      },
    ]);
    listener.setProbe(
      '/confirmed',
      (body) =>
        sim.db.searchRead('sale.order', [['id', '=', (body as { id: number }).id]], ['state'])[0]
          ?.state,
    );
  });
  after(async () => {
    await sim.close();
    await listener.close();
  });
  beforeEach(async () => {
    await sim.faults.reset();
    listener.received.length = 0;
  });

  async function newQuotation(): Promise<number> {
    return (await sim.db.call('sale.order', 'create', [
      { partner_id: 12, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
    ])) as number;
  }

  test('the hint arrives before the change is visible to reads, and the RPC then commits it', async () => {
    const id = await newQuotation();
    const odoo = createOdooClient(profileFor(sim, 'jsonrpc'));
    assert.equal(await odoo.call('sale.order', 'action_confirm', [[id]]), true);
    const [hint] = listener.received;
    const body = hint?.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['_action', '_id', '_model', 'id', 'name', 'state']);
    assert.match(String(body._action), /^Send Webhook Notification\(#\d+\)$/);
    assert.deepEqual([body._id, body._model, body.id, body.state], [id, 'sale.order', id, 'sale']);
    assert.equal(
      hint?.probe,
      'draft',
      'when the webhook arrived, the committed state was still draft',
    );
    assert.equal(sim.db.searchRead('sale.order', [['id', '=', id]], ['state'])[0]?.state, 'sale');
  });

  test('a call that fails after sending the hint commits nothing; the client retry sends a second hint', async () => {
    const id = await newQuotation();
    sim.faults.rollbackAfterWebhooks(1);
    const odoo = createOdooClient(profileFor(sim, 'jsonrpc'), { sleep: recordingSleep().sleep });
    assert.equal(await odoo.call('sale.order', 'action_confirm', [[id]]), true);
    const hints = listener.received.filter((entry) => (entry.body as { id: number }).id === id);
    assert.equal(hints.length, 2, 'the rolled-back attempt had already sent its webhook');
    assert.deepEqual(
      hints.map((hint) => hint.probe),
      ['draft', 'draft'],
    );
    assert.equal(
      sim.calls.count({
        method: 'action_confirm',
        where: (entry) => JSON.stringify(entry.args) === JSON.stringify([[id]]),
      }),
      2,
    );
  });

  test('a rolled-back call seen without retry: error for the caller, hint already delivered', async () => {
    const id = await newQuotation();
    sim.faults.rollbackAfterWebhooks(1);
    await assert.rejects(sim.db.call('sale.order', 'action_confirm', [[id]]), {
      qualifiedName: 'psycopg2.errors.SerializationFailure',
    });
    assert.equal(listener.received.length, 1);
    assert.equal(sim.db.searchRead('sale.order', [['id', '=', id]], ['state'])[0]?.state, 'draft');
  });

  test('a slow or failing endpoint does not fail the call and is not retried', async () => {
    listener.setProbe('/confirmed', () => new Promise((resolve) => setTimeout(resolve, 500)));
    const id = await newQuotation();
    assert.equal(await sim.db.call('sale.order', 'action_confirm', [[id]]), true);
    const [sent] = sim.webhooks.filter((webhook) => webhook.recordId === id);
    assert.equal(sent?.outcome, 'timeout');
    assert.ok(
      sim.serverLog.some(
        (line) =>
          line.level === 'WARNING' && line.message.startsWith('Webhook call timed out after 0.1s'),
      ),
    );
    assert.equal(sim.webhooks.filter((webhook) => webhook.recordId === id).length, 1);
  });
});

describe('call log', () => {
  test('counts calls with a given body, for exactly-once checks', async () => {
    const sim = await startOdooSimulator();
    try {
      const odoo = createOdooClient(profileFor(sim, 'xmlrpc'));
      for (const body of ['shipped 1Z999', 'shipped 1Z999', 'delivered']) {
        await odoo.call('sale.order', 'message_post', [[21]], {
          body,
          message_type: 'comment',
          subtype_xmlid: 'mail.mt_note',
        });
      }
      const posts = (body: string) =>
        sim.calls.count({
          model: 'sale.order',
          method: 'message_post',
          where: (entry) => entry.kwargs.body === body,
        });
      assert.equal(posts('shipped 1Z999'), 2);
      assert.equal(posts('delivered'), 1);
      assert.equal(
        sim.db.searchRead('mail.message', [
          ['model', '=', 'sale.order'],
          ['res_id', '=', 21],
          ['body', '=', '<p>delivered</p>'],
        ]).length,
        1,
      );
      assert.ok(
        sim.calls.entries.every(
          (entry) => !JSON.stringify(entry).includes(sim.users[0]?.apiKeys[0] ?? '-'),
        ),
        'no API key in the call log',
      );
    } finally {
      await sim.close();
    }
  });
});
