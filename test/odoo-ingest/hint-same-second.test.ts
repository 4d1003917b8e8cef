/**
 * Webhook hints for orders created and confirmed within one second, as RPC callers and quick
 * UI clicks do. Odoo sends the hint before its commit (and goes on working for a while: here
 * 200 ms, within the 18-370 ms recorded), with write_date to the microsecond, while the
 * committed draft reads the same to the second over RPC. The poller is off, so only the hints
 * can release the orders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { ingestHarness, type IngestHarness } from './support/ingest-harness.ts';

const SETTLE_MS = 1_500;

describe('hints of orders created and confirmed in the same second', () => {
  let h: IngestHarness;
  /** The simulator's clock: each test holds it inside one second. */
  let odooNowMs = Date.parse('2026-12-02T08:00:00.100Z');

  before(async () => {
    h = await ingestHarness({
      sim: { clock: () => new Date(odooNowMs), commitLagAfterWebhooksMs: 200 },
      settleMs: SETTLE_MS,
    });
    await h.ingestion.pollAll(); // the poller's starting point; it does not run by itself (poll_interval_ms 0)
  });
  after(async () => h.close());

  test(
    '50 orders, each created and confirmed within one second over RPC: all 50 are released through their hints',
    { timeout: 120_000 },
    async () => {
      const ids: number[] = [];
      // One after the other (concurrent confirmations reserve the same stock and conflict), five per Odoo second.
      for (let i = 0; i < 50; i++) {
        odooNowMs = Date.parse(
          `2026-12-02T08:00:${String(10 + Math.floor(i / 5)).padStart(2, '0')}.100Z`,
        );
        ids.push(await h.createAndConfirm());
      }
      await h.settleIngest();
      for (const id of ids) {
        const events = await h.confirmedEvents(id);
        assert.equal(events.length, 1, `order ${id}: one confirmed event`);
        assert.equal(events[0]!.payload.via, 'webhook', `order ${id} was released by its hint`);
        assert.equal(
          events[0]!.payload.record.state,
          'sale',
          `order ${id}: the event is the confirmation, not the draft of the same second`,
        );
        assert.match(
          events[0]!.payload.write_date,
          /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
          'keyed by the write_date RPC reads show',
        );
        const runs = await h.consumerRuns(id);
        assert.equal(runs.length, 1, `order ${id}: one run`);
        assert.equal((await waitForRun(h.engine, runs[0]!.id)).status, 'completed');
      }
      // The poller finds the same 50 versions under the same keys: nothing new.
      const polled = await h.ingestion.pollAll();
      assert.deepEqual([polled[0]!.result.emitted, polled[0]!.result.duplicates], [0, 50]);
    },
  );

  test(
    'a confirmation rolled back after its hint is dropped once settle_ms has passed, not before',
    { timeout: 60_000 },
    async () => {
      odooNowMs = Date.parse('2026-12-02T08:01:00.100Z');
      const id = await h.client.call<number>('sale.order', 'create', [
        { partner_id: 10, order_line: [[0, 0, { product_id: 32, product_uom_qty: 1 }]] },
      ]);
      h.sim.faults.rollbackAfterWebhooks(1);
      await assert.rejects(h.sim.db.call('sale.order', 'action_confirm', [[id]]), {
        qualifiedName: 'psycopg2.errors.SerializationFailure',
      });
      await h.settleIngest();
      const hint = await h.t.store.db
        .selectFrom('events')
        .select(['id', 'received_at'])
        .where('type', '=', 'odoo.hint')
        .where('dedupe_key', 'like', `hint:sale.order.confirmed:sale.order:${id}:%`)
        .executeTakeFirstOrThrow();
      const run = await h.t.store.db
        .selectFrom('runs')
        .select('id')
        .where('event_id', '=', String(hint.id))
        .executeTakeFirstOrThrow();
      const detail = await h.engine.runs.show(String(run.id));
      assert.equal(detail.steps.at(-1)!.stepId, 'dropped');
      const rereads = detail.steps.filter((s) => s.stepId === 'reread_0');
      assert.ok(
        rereads.length >= 2 && rereads.slice(0, -1).every((s) => s.status === 'failed'),
        'it waited for a commit',
      );
      const last = rereads.at(-1)!;
      assert.match(
        String((last.output as { reason: string }).reason),
        /before the hint's .* after 1500 ms: the change was rolled back/,
      );
      assert.ok(
        Date.parse(last.startedAt) - new Date(hint.received_at as unknown as string).getTime() >=
          SETTLE_MS,
        'dropped only after settle_ms',
      );
      assert.equal((await h.confirmedEvents(id)).length, 0);
      assert.equal(
        h.sim.db.searchRead('sale.order', [['id', '=', id]], ['state'])[0]!.state,
        'draft',
      );
    },
  );

  test('a confirmed order changed again within the same second is a second event, found by the poller', async () => {
    odooNowMs = Date.parse('2026-12-02T08:02:00.100Z');
    const id = await h.createAndConfirm();
    await h.settleIngest();
    assert.equal((await h.confirmedEvents(id)).length, 1);
    // The same Odoo second: RPC reads show the same write_date for both versions.
    odooNowMs = Date.parse('2026-12-02T08:02:00.600Z');
    await h.client.call('sale.order', 'write', [[id], { name: `S-RENAMED-${id}` }]);
    const polled = await h.ingestion.pollAll();
    assert.equal(polled[0]!.result.emitted, 1, 'the rename is a new version');
    const events = await h.confirmedEvents(id);
    assert.deepEqual(
      events.map((e) => e.payload.record.name),
      [events[0]!.payload.record.name, `S-RENAMED-${id}`],
    );
    assert.equal(events[0]!.payload.write_date, events[1]!.payload.write_date);
    // Polled again: the same two versions, nothing new.
    assert.equal((await h.ingestion.pollAll())[0]!.result.emitted, 0);
  });
});
