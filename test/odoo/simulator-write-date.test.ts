/**
 * write_date as a real Odoo 17 keeps it (fixtures README, "Value encoding" and "Webhooks:
 * outgoing"): stored to the microsecond, one timestamp per transaction; RPC reads show
 * whole seconds on every protocol; the webhook sends the microseconds; a search domain
 * compares at full precision, as PostgreSQL does. Two faults came from reading the seconds
 * as the whole truth: a draft committed in the confirmation's second looked as new as the
 * hint, and a cursor at a whole second matched every row written within that second.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOdooClient, type OdooProtocol } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { profileFor } from './support/clients.ts';
import { startWebhookListener, type WebhookListener } from './support/webhook-listener.ts';

const SALE_ORDER_MODEL = 560;
const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MICROSECONDS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

describe('write_date precision', () => {
  let sim: OdooSimulator;
  let listener: WebhookListener;
  /** The simulator's clock: held inside one second unless a test moves it. */
  let nowMs = Date.parse('2026-12-01T12:00:10.400Z');

  before(async () => {
    sim = await startOdooSimulator({ clock: () => new Date(nowMs), commitLagAfterWebhooksMs: 150 });
    listener = await startWebhookListener();
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
              webhook_field_ids: [[6, 0, [7214, 7217, 7274]]],
            },
          ],
        ],
      },
    ]);
    // At the webhook, what the committed database says: the order read over RPC (seconds), and
    // whether a full-precision domain finds it at least as new as the hint.
    listener.setProbe('/confirmed', (body) => {
      const hint = body as { id: number; write_date: string };
      return {
        read: sim.db.searchRead('sale.order', [['id', '=', hint.id]], ['state', 'write_date'])[0],
        asNewAsHint: sim.db.searchRead(
          'sale.order',
          [
            ['id', '=', hint.id],
            ['write_date', '>=', hint.write_date],
          ],
          ['id'],
        ).length,
      };
    });
  });
  after(async () => {
    await sim.close();
    await listener.close();
  });

  const newQuotation = async () =>
    (await sim.db.call('sale.order', 'create', [
      { partner_id: 12, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
    ])) as number;

  test('RPC reads show whole seconds on every protocol; the webhook sends microseconds of the same instant', async () => {
    const id = await newQuotation();
    const sent = sim.webhooks.length;
    await sim.db.call('sale.order', 'action_confirm', [[id]]);
    const hint = sim.webhooks.slice(sent).find((w) => w.recordId === id)!.body as {
      write_date: string;
    };
    assert.match(hint.write_date, MICROSECONDS);
    for (const protocol of ['jsonrpc', 'xmlrpc', 'json2'] as OdooProtocol[]) {
      const odoo = createOdooClient(profileFor(sim, protocol));
      const [read] = await odoo.call<{ write_date: string }[]>('sale.order', 'read', [[id]], {
        fields: ['write_date'],
      });
      const [found] = await odoo.call<{ write_date: string }[]>(
        'sale.order',
        'search_read',
        [[['id', '=', id]]],
        { fields: ['write_date'] },
      );
      assert.match(read!.write_date, WHOLE_SECONDS, protocol);
      assert.equal(found!.write_date, read!.write_date, protocol);
      assert.equal(
        read!.write_date,
        hint.write_date.slice(0, 19),
        `${protocol}: the same instant, cut to the second`,
      );
    }
  });

  test('a domain compares write_date at full precision', async () => {
    nowMs = Date.parse('2026-12-01T12:05:10.400Z');
    const id = await newQuotation();
    const count = (leaf: unknown[]) =>
      sim.db.searchRead('sale.order', [['id', '=', id], leaf], ['id']).length;
    assert.equal(
      sim.db.searchRead('sale.order', [['id', '=', id]], ['write_date'])[0]!.write_date,
      '2026-12-01 12:05:10',
    );
    assert.equal(
      count(['write_date', '>', '2026-12-01 12:05:10']),
      1,
      'written at …10.4, so after …10',
    );
    assert.equal(count(['write_date', '=', '2026-12-01 12:05:10']), 0);
    assert.equal(count(['write_date', '<=', '2026-12-01 12:05:10']), 0);
    assert.equal(
      count(['write_date', '>=', '2026-12-01T12:05:10.4']),
      1,
      '.4 is .400000; the ISO T is accepted',
    );
    assert.equal(count(['write_date', '>', '2026-12-01 12:05:10.4']), 0);
    assert.equal(count(['write_date', '<', '2026-12-01 12:05:10.400001']), 1);
    assert.equal(
      count(['write_date', '>', '2026-12-01']),
      0,
      'a bare date after > means its 23:59:59',
    );
    assert.equal(count(['write_date', '>=', '2026-12-01']), 1, 'and its 00:00:00 otherwise');
  });

  test('create then confirm within one second: the seconds cannot tell the draft from the confirmation, a full-precision domain can', async () => {
    nowMs = Date.parse('2026-12-01T12:10:20.100Z');
    const id = await newQuotation();
    const sent = sim.webhooks.length;
    const started = Date.now();
    await sim.db.call('sale.order', 'action_confirm', [[id]]);
    assert.ok(
      Date.now() - started >= 150,
      'the call commits after its lag, not when the webhook is answered',
    );
    const hint = sim.webhooks.slice(sent).find((w) => w.recordId === id)!.body as {
      write_date: string;
      state: string;
    };
    const probe = listener.received.find((r) => (r.body as { id: number }).id === id)!.probe as {
      read: { state: string; write_date: string };
      asNewAsHint: number;
    };
    assert.equal(hint.state, 'sale');
    assert.equal(
      probe.read.state,
      'draft',
      'at the webhook, the committed order is still the draft',
    );
    assert.equal(
      probe.read.write_date,
      hint.write_date.slice(0, 19),
      'and its RPC write_date equals the hint cut to seconds',
    );
    assert.equal(
      probe.asNewAsHint,
      0,
      'but write_date >= the hint (microseconds) finds no committed record yet',
    );
    const after = sim.db.searchRead(
      'sale.order',
      [
        ['id', '=', id],
        ['write_date', '>=', hint.write_date],
      ],
      ['state'],
    );
    assert.deepEqual(
      after.map((r) => r.state),
      ['sale'],
      'once committed, it does',
    );
    const pickings = sim.db.searchRead(
      'stock.picking',
      [
        ['sale_id', '=', id],
        ['write_date', '=', hint.write_date],
      ],
      ['id'],
    );
    assert.equal(
      pickings.length,
      1,
      'the delivery created by the same call carries the same transaction timestamp',
    );
  });

  test('two transactions in one millisecond get distinct, increasing timestamps', async () => {
    nowMs = Date.parse('2026-12-01T12:15:00.000Z');
    const first = await newQuotation();
    const second = await newQuotation();
    const [a] = sim.db.searchRead(
      'sale.order',
      [
        ['id', '=', first],
        ['write_date', '=', '2026-12-01 12:15:00.000000'],
      ],
      ['id'],
    );
    assert.ok(a, 'the first at the clock');
    assert.equal(
      sim.db.searchRead(
        'sale.order',
        [
          ['id', '=', second],
          ['write_date', '>', '2026-12-01 12:15:00.000000'],
        ],
        ['id'],
      ).length,
      1,
      'the second just after',
    );
  });

  test('a cursor at a whole second matches every row written within that second', async () => {
    // The demo orders were loaded in one transaction (04:22:17.458213), shown as 04:22:17.
    const seeded = sim.db.searchRead('sale.order', [['id', '<=', 24]], ['write_date']);
    assert.ok(seeded.length > 10 && seeded.every((r) => r.write_date === '2026-11-22 04:22:17'));
    assert.equal(
      sim.db.searchRead(
        'sale.order',
        [
          ['id', '<=', 24],
          ['write_date', '>', '2026-11-22 04:22:17'],
        ],
        ['id'],
      ).length,
      seeded.length,
    );
    assert.equal(
      sim.db.searchRead(
        'sale.order',
        [
          ['id', '<=', 24],
          ['write_date', '>=', '2026-11-22 04:22:18'],
        ],
        ['id'],
      ).length,
      0,
    );
  });
});
