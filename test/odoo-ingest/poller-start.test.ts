/**
 * Where a new poller starts, and the backfill that processes older records on request. The
 * simulator holds 30 orders confirmed before Crossdock was set up, ten in each of three
 * seconds, so that several share the newest write_date second, as Odoo's demo data and busy
 * databases do (RPC reads show whole seconds; Odoo keeps microseconds).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OdooSimulator } from '../../sim/odoo/index.ts';
import { waitForRun } from '../support/engine.ts';
import { ingestHarness, type IngestHarness } from './support/ingest-harness.ts';

const SECONDS = ['2026-12-02T09:00:05', '2026-12-02T10:00:05', '2026-12-02T11:00:05'];

describe('a new poller, and backfill', () => {
  let h: IngestHarness;
  let odooNowMs = 0;
  const confirmedBefore: number[][] = [];

  /** Ten orders created and confirmed in one Odoo second, from `fromMs` into it, 30 ms apart. */
  async function confirmTen(sim: OdooSimulator, second: string, fromMs = 100): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      odooNowMs = Date.parse(`${second}Z`) + fromMs + i * 30;
      const id = (await sim.db.call('sale.order', 'create', [
        { partner_id: 10, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
      ])) as number;
      await sim.db.call('sale.order', 'action_confirm', [[id]]);
      ids.push(id);
    }
    return ids;
  }

  before(async () => {
    h = await ingestHarness({
      sim: { clock: () => new Date(odooNowMs) },
      settleMs: 1_000,
      prepare: async (sim) => {
        for (const second of SECONDS) confirmedBefore.push(await confirmTen(sim, second));
      },
    });
  });
  after(async () => h.close());

  const allConfirmedEvents = async () =>
    h.t.store.db
      .selectFrom('events')
      .select(['id', 'payload'])
      .where('type', '=', 'sale.order.confirmed')
      .execute();

  test('a fresh start processes none of the 30 orders confirmed before it, nor the older demo orders', async () => {
    const first = await h.ingestion.pollAll();
    assert.equal(first[0]!.result.emitted, 0);
    const second = await h.ingestion.pollAll();
    assert.deepEqual(
      [second[0]!.result.emitted, second[0]!.result.duplicates],
      [0, 0],
      'the newest second is not taken in again',
    );
    assert.equal((await allConfirmedEvents()).length, 0);
  });

  test('an order confirmed after the start, in the same second as the newest existing one, is polled', async () => {
    // No hint for it (its rule is switched off): the poller alone must find it.
    const [rule] = h.sim.db.searchRead(
      'base.automation',
      [['name', 'like', 'Crossdock odoo']],
      ['id'],
    );
    await h.sim.db.call('base.automation', 'write', [[rule!.id], { active: false }]);
    const late = await confirmTen(h.sim, SECONDS[2]!, 600);
    const polled = await h.ingestion.pollAll();
    const events = await allConfirmedEvents();
    assert.equal(polled[0]!.result.emitted, 10, 'the ten confirmed after the start');
    assert.deepEqual(
      events.map((e) => (e.payload as { id: number }).id).sort((a, b) => a - b),
      late,
    );
    assert.ok(events.every((e) => (e.payload as { via: string }).via === 'poll'));
    assert.ok(
      events.every((e) => !confirmedBefore.flat().includes((e.payload as { id: number }).id)),
      'none of those confirmed before the start',
    );
  });

  test('backfill processes exactly the orders last written in its window, once, however often it runs', async () => {
    const window = {
      since: '2026-12-02 10:00:00',
      until: '2026-12-02 11:00:00',
      source: null,
      event: null,
    };
    const inWindow = confirmedBefore[1]!;
    const first = await h.ingestion.backfill(window);
    assert.deepEqual(first, [
      { source: 'odoo', event: 'sale.order.confirmed', emitted: 10, duplicates: 0 },
    ]);
    const again = await h.ingestion.backfill(window);
    assert.deepEqual(again, [
      { source: 'odoo', event: 'sale.order.confirmed', emitted: 0, duplicates: 10 },
    ]);
    const backfilled = (await allConfirmedEvents()).filter(
      (e) => (e.payload as { via: string }).via === 'backfill',
    );
    assert.deepEqual(
      backfilled.map((e) => (e.payload as { id: number }).id).sort((a, b) => a - b),
      [...inWindow].sort((a, b) => a - b),
    );
    for (const id of inWindow) {
      const runs = await h.consumerRuns(id);
      assert.equal(runs.length, 1, `order ${id}: one run`);
      assert.equal((await waitForRun(h.engine, runs[0]!.id)).status, 'completed');
    }
    for (const id of [...confirmedBefore[0]!, ...confirmedBefore[2]!])
      assert.equal((await h.consumerRuns(id)).length, 0, `order ${id} is outside the window`);
    const polled = await h.ingestion.pollAll();
    assert.equal(
      polled[0]!.result.emitted,
      0,
      'the poller does not take them in afterwards either',
    );
  });

  test('a window that ends before it starts, or a source that is not configured, is refused by name', async () => {
    await assert.rejects(
      h.ingestion.backfill({
        since: '2026-12-02 11:00:00',
        until: '2026-12-02 10:00:00',
        source: null,
        event: null,
      }),
      { code: 'ODOO_BACKFILL_INVALID', message: /until .* must be after since/ },
    );
    await assert.rejects(
      h.ingestion.backfill({
        since: '2026-12-02 10:00:00',
        until: null,
        source: 'shop',
        event: null,
      }),
      { code: 'ODOO_BACKFILL_INVALID', message: /configured: odoo sale.order.confirmed/ },
    );
  });
});
