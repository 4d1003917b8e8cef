/**
 * Ordering by business key (trigger `order:`), on both stores: an event older than one
 * already acted on for its key is skipped, opens a case, or (park) a later one waits for its
 * predecessor and is released in order when it arrives. Times compare to the microsecond.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Engine } from '../../src/engine/index.ts';
import { startTestApi, type TestApi } from '../api/support.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const flow = (id: string, event: string, policy: string, extra = '') => `
id: ${id}
trigger:
  event: ${event}
  source: shop
  order: { key: "'order:' & $string(input.id)", sequence: input.seq, on_out_of_order: ${policy}${extra} }
steps:
  - id: note
    type: transform
    with: { seq: "= input.seq" }
`;

describe('events ordered by business key', () => {
  let t: TestStore;
  let engine: Engine;
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [
      flow('skipper', 'skip.*', 'skip'),
      flow('caser', 'case.*', 'case'),
      flow('parker', 'park.*', 'park', ', first: 1'),
    ]);
  });
  after(() => t.dispose());

  const send = (type: string, id: number, seq: unknown, key = `${type}-${id}-${String(seq)}`) =>
    engine.accept({ source: 'shop', type, key, payload: { id, seq } });
  const held = async (workflow: string) =>
    (
      await sql<{
        event_id: string;
        status: string;
        sequence: string;
        head_sequence: string | null;
        case_id: string | null;
      }>`
      SELECT event_id, status, sequence::text AS sequence, head_sequence::text AS head_sequence, case_id FROM event_order_held WHERE workflow_id = ${workflow} ORDER BY id`.execute(
        t.store.db,
      )
    ).rows;

  test('skip: an older event after a newer one starts nothing and is recorded as skipped', async () => {
    // Odoo write_dates one microsecond apart: the cancel (newer) arrives before the confirmation.
    const newer = await send('skip.cancelled', 1, '2026-01-05 08:00:00.000002');
    assert.equal(newer.runIds.length, 1);
    const older = await send('skip.confirmed', 1, '2026-01-05 08:00:00.000001');
    assert.deepEqual([older.duplicate, older.runIds], [false, []], 'stored, but no run');
    assert.deepEqual(
      (await held('skipper')).map((h) => [h.event_id, h.status, h.sequence, h.head_sequence]),
      [[older.eventId, 'skipped', '1767600000000001', '1767600000000002']],
    );
    // Another order's events are not affected; the same moment again is not older.
    assert.equal((await send('skip.confirmed', 2, '2026-01-05 07:00:00')).runIds.length, 1);
    assert.equal((await send('skip.edited', 1, '2026-01-05 08:00:00.000002')).runIds.length, 1);
    assert.equal(
      (await send('skip.edited', 1, '2026-01-05T09:00:00.000002+01:00')).runIds.length,
      1,
      'ISO with an offset: the same moment in UTC',
    );
    assert.deepEqual(
      (await send('skip.edited', 1, '2026-01-05T09:00:00.000001+01:00')).runIds,
      [],
      'and a microsecond before it is older',
    );
  });

  test('case: an older event after a newer one opens an exception case naming both', async () => {
    await send('case.updated', 7, 20);
    const late = await send('case.updated', 7, 10);
    assert.deepEqual(late.runIds, []);
    const [row] = await held('caser');
    assert.equal(row!.status, 'case');
    const opened = (
      await sql<{
        type: string;
        status: string;
        error_code: string;
        details: { sequence: string; newestSequence: string };
      }>`
      SELECT type, status, error_code, details FROM exception_cases WHERE id = ${row!.case_id}`.execute(
        t.store.db,
      )
    ).rows[0]!;
    assert.deepEqual(
      [
        opened.type,
        opened.status,
        opened.error_code,
        opened.details.sequence,
        opened.details.newestSequence,
      ],
      ['event_order', 'open', 'EVENT_OUT_OF_ORDER', '10', '20'],
    );
  });

  test('park: events ahead of their predecessor wait, and start in order when it arrives', async () => {
    const third = await send('park.step', 3, 3);
    const second = await send('park.step', 3, 2);
    assert.deepEqual([third.runIds, second.runIds], [[], []], 'both wait for sequence 1');
    assert.deepEqual(
      (await held('parker')).map((h) => h.status),
      ['parked', 'parked'],
    );
    const first = await send('park.step', 3, 1);
    assert.equal(first.runIds.length, 1);
    const runs = (
      await sql<{
        id: string;
        seq: number;
      }>`SELECT id, (input->>'seq')::int AS seq FROM runs WHERE workflow_id = 'parker' ORDER BY id`.execute(
        t.store.db,
      )
    ).rows;
    assert.deepEqual(
      runs.map((r) => r.seq),
      [1, 2, 3],
      'released in sequence order, in the same transaction',
    );
    assert.deepEqual(
      (await held('parker')).map((h) => h.status),
      ['released', 'released'],
    );
    const late = await send('park.step', 3, 2, 'again-2');
    assert.deepEqual(late.runIds, [], 'older than the head: skipped');
    assert.equal((await held('parker')).at(-1)!.status, 'skipped');
  });

  test('a batch holding a duplicate of a stored event and a new one: the new one starts, the duplicate nothing', async () => {
    const first = await send('skip.confirmed', 7, '2026-01-06 08:00:00', 'skip-7-first');
    assert.equal(first.runIds.length, 1);
    // Sent together: the first commits alone while the other two queue, then go in one batch,
    // a duplicate of a stored event beside a new one.
    const [other, again, next] = await Promise.all([
      send('skip.confirmed', 8, '2026-01-06 08:00:00', 'skip-8-first'),
      send('skip.confirmed', 7, '2026-01-06 08:00:00', 'skip-7-first'),
      send('skip.updated', 7, '2026-01-06 09:00:00', 'skip-7-second'),
    ]);
    assert.equal(other.runIds.length, 1);
    assert.deepEqual([again.duplicate, again.eventId, again.runIds], [true, first.eventId, []]);
    assert.deepEqual([next.duplicate, next.runIds.length], [false, 1]);
  });

  test('a sequence that is neither a number nor a time is refused before anything is stored', async () => {
    const before = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(t.store.db)).rows[0]!.n,
    );
    await assert.rejects(
      send('skip.confirmed', 9, 'yesterday'),
      (e: { code?: string; details?: { message: string }[] }) =>
        e.code === 'EVENT_ORDER_INVALID' && /skipper/.test(e.details![0]!.message),
    );
    assert.equal(
      Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(t.store.db)).rows[0]!.n,
      ),
      before,
    );
  });
});

describe('events held out of order, as the API lists them', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({
      workflows: [flow('skipper', 'skip.*', 'skip'), flow('caser', 'case.*', 'case')],
    });
  });
  after(async () => api.close());

  test("newest first, with their event type, paged by cursor, and only within the reader's sources", async () => {
    const send = (type: string, id: number, seq: number) =>
      api.engine.accept({
        source: 'shop',
        type,
        key: `${type}-${id}-${seq}`,
        payload: { id, seq },
      });
    await send('skip.updated', 1, 20);
    const skipped = await send('skip.updated', 1, 10);
    await send('case.updated', 2, 20);
    const cased = await send('case.updated', 2, 10);
    const token = await api.tokenFor('operator');
    const first = await api.request('GET', '/api/v1/events/held?limit=1', { token });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.held.map(
        (h: {
          eventId: string;
          type: string;
          workflowId: string;
          status: string;
          sequence: string;
          newestSequence: string;
        }) => [h.eventId, h.type, h.workflowId, h.status, h.sequence, h.newestSequence],
      ),
      [[cased.eventId, 'case.updated', 'caser', 'case', '10', '20']],
    );
    assert.match(first.body.held[0].caseId, /^\d+$/);
    const second = await api.request(
      'GET',
      `/api/v1/events/held?limit=1&cursor=${first.body.nextCursor}`,
      { token },
    );
    assert.deepEqual(
      second.body.held.map((h: { eventId: string; status: string }) => [h.eventId, h.status]),
      [[skipped.eventId, 'skipped']],
    );
    assert.equal(second.body.nextCursor, null);
    const elsewhere = await api.tokenFor('operator', { eventSources: ['carrier'] });
    assert.deepEqual(
      (await api.request('GET', '/api/v1/events/held', { token: elsewhere })).body.held,
      [],
    );
    assert.deepEqual(
      (await api.request('GET', '/api/v1/events/held?source=carrier', { token })).body.held,
      [],
    );
  });
});
