/**
 * The simulators keep what they answered and sent for tests to count. The demo runs them for
 * hours, so it tells them to keep only the newest records: each log stays at its limit,
 * numbering goes on, and a test that sets no limit still sees everything. The carriers forget
 * old bookings as the simulated Odoo forgets old documents, but for those a run still names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCarrierSimulator } from '../../sim/carriers/index.ts';
import { SHOP_INVENTORY_PATH, startShopSimulator } from '../../sim/shop/index.ts';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { RecordLog } from '../../sim/record-log.ts';
import { closedPortUrl, shipment } from '../carriers/support.ts';

test('a record log keeps the newest entries and counts them all', () => {
  const log = new RecordLog<number>(3);
  for (let n = 1; n <= 7; n++) log.add(n);
  assert.deepEqual(log.entries, [5, 6, 7]);
  assert.equal(log.total, 7);
  const everything = new RecordLog<number>();
  for (let n = 1; n <= 7; n++) everything.add(n);
  assert.deepEqual(everything.entries, [1, 2, 3, 4, 5, 6, 7]);
  assert.throws(() => new RecordLog(0), /keep must be a positive integer/);
});

test('the Odoo simulator keeps its newest calls, numbered on, and its newest server log lines', async () => {
  const odoo = await startOdooSimulator({ keepRecords: 4, webhookTimeoutMs: 100 });
  try {
    for (let n = 1; n <= 6; n++)
      await odoo.db.call('res.partner', 'search_count', [[['id', '>', n]]]);
    assert.deepEqual(
      odoo.calls.entries.map((c) => c.seq),
      [3, 4, 5, 6],
    );
    assert.deepEqual(odoo.calls.entries.at(-1)?.args, [[['id', '>', 6]]]);
    assert.equal(odoo.calls.count({ method: 'search_count' }), 4);

    // Each confirmation sends a webhook to a closed port: one webhook and two log lines per order.
    const url = await closedPortUrl('/hook');
    await odoo.db.call('base.automation', 'create', [
      {
        name: 'confirmed',
        model_id: 560,
        trigger: 'on_state_set',
        trigger_field_ids: [[6, 0, [7217]]],
        trg_selection_field_id: 1210,
        action_server_ids: [
          [
            0,
            0,
            {
              name: 'hook',
              model_id: 560,
              state: 'webhook',
              webhook_url: url,
              webhook_field_ids: [[6, 0, [7214, 7217]]],
            },
          ],
        ],
      },
    ]);
    for (let n = 1; n <= 6; n++) {
      const id = await odoo.db.call('sale.order', 'create', [
        { partner_id: 12, order_line: [[0, 0, { product_id: 32, product_uom_qty: n }]] },
      ]);
      await odoo.db.call('sale.order', 'action_confirm', [[id]]);
    }
    assert.deepEqual(
      odoo.webhooks.map((w) => [w.seq, w.outcome]),
      [3, 4, 5, 6].map((seq) => [seq, 'connection-error']),
    );
    assert.equal(odoo.serverLog.length, 4);
    assert.match(odoo.serverLog.at(-1)!.message, /^Webhook call failed: .*ECONNREFUSED/);
  } finally {
    await odoo.close();
  }
});

test('the carrier simulator keeps its newest calls and webhook deliveries, numbered on', async () => {
  const carriers = await startCarrierSimulator({ keepRecords: 2 });
  try {
    const body = JSON.stringify({ shipment: shipment({ reference: 'WH/OUT/00777' }) });
    const headers = {
      authorization: 'Bearer sim-swiftpost-key',
      'content-type': 'application/json',
    };
    for (let n = 1; n <= 3; n++) {
      const answer = await fetch(`${carriers.url('swiftpost')}/shipments`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `k-${n}` },
        body,
      });
      assert.equal(answer.status, 201, await answer.text());
    }
    assert.deepEqual(
      carriers.calls.entries.map((c) => [c.seq, c.idempotencyKey]),
      [
        [2, 'k-2'],
        [3, 'k-3'],
      ],
    );
    const [booking] = carriers.bookings('swiftpost');
    const url = await closedPortUrl('/tracking');
    for (const status of ['in_transit', 'delayed', 'delivered'] as const)
      await carriers.sendTracking(
        'swiftpost',
        { tracking_ref: booking!.tracking_ref, status },
        { url },
      );
    assert.deepEqual(
      carriers.webhooks.map((w) => w.seq),
      [2, 3],
    );
  } finally {
    await carriers.close();
  }
});

test('the shop simulator keeps its newest inventory calls', async () => {
  const shop = await startShopSimulator({
    webhookSecret: 'secret',
    accessToken: 'shpat_test',
    keepCalls: 2,
  });
  try {
    for (let n = 1; n <= 3; n++) {
      const answer = await fetch(`${shop.url}${SHOP_INVENTORY_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shop-access-token': 'shpat_test' },
        body: JSON.stringify({ location_id: 'loc-1', levels: [{ sku: 'SKU-1', available: n }] }),
      });
      assert.equal(answer.status, 200, await answer.text());
    }
    assert.deepEqual(
      shop.calls.map((c) => c.levels[0]!.available),
      [2, 3],
    );
  } finally {
    await shop.close();
  }
});

test('the carriers forget bookings made before a time, but for those named; numbers go on', async () => {
  let now = new Date('2026-03-02T09:00:00Z');
  const carriers = await startCarrierSimulator({ clock: () => now });
  try {
    const book = async (reference: string) => {
      const answer = await fetch(`${carriers.url('swiftpost')}/shipments`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sim-swiftpost-key',
          'content-type': 'application/json',
          'idempotency-key': `key-${reference}`,
        },
        body: JSON.stringify({ shipment: shipment({ reference }) }),
      });
      const body = await answer.text();
      assert.equal(answer.status, 201, body);
      return JSON.parse(body) as { booking_id: string; tracking_ref: string };
    };
    const old = [await book('WH/OUT/00001'), await book('WH/OUT/00002')];
    now = new Date('2026-03-02T09:05:00Z');
    await book('WH/OUT/00003');
    const gone = carriers.forget(new Date('2026-03-02T09:04:00Z'), new Set(['WH/OUT/00002']));
    assert.equal(gone, 1);
    assert.deepEqual(
      carriers.bookings('swiftpost').map((b) => b.reference),
      ['WH/OUT/00002', 'WH/OUT/00003'],
    );
    assert.deepEqual(carriers.tracking('swiftpost', old[0]!.tracking_ref), []);
    const next = await book('WH/OUT/00004');
    assert.match(next.booking_id, /0+4$/, 'the fourth booking, though two are kept');
  } finally {
    await carriers.close();
  }
});
