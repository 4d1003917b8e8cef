/**
 * What the run priority costs the claim. One store (PGlite, or CROSSDOCK_TEST_STORE=postgres)
 * is filled with a backlog: `due` runs ready now, `parked` runs waiting on timers an hour out
 * and `ended` completed runs; then the same data is claimed, batch after batch, by the claim as
 * it was before priorities (one ORDER BY available_at over runs_claimable, kept here verbatim)
 * and by `claimRuns` (prioritized runs first from runs_claimable_due, then the rest). Each claim
 * runs in a transaction that is rolled back, so every one sees the same backlog; the two
 * alternate, after an uncounted warm-up. Two shapes: no run has a priority (a site that
 * declares none), and a fifth of the runs have one (parked ones included).
 *
 *   node --import tsx bench/claim.ts [due=20000] [parked=20000] [ended=50000] [claims=300]
 */
import { sql, type Kysely } from 'kysely';
import { claimRuns, type Database } from '../src/store/index.ts';
import { openTestStore, TEST_STORE_KIND } from '../test/support/stores.ts';

const arg = (i: number, fallback: number) => Number(process.argv[2 + i] ?? fallback);
const due = arg(0, 20_000);
const parked = arg(1, 20_000);
const ended = arg(2, 50_000);
const claims = arg(3, 300);
const LIMIT = 8;
const now = new Date('2026-03-02T09:00:00Z');

/** The claim before run priorities, verbatim from src/store/run-queries.ts (with its event and checkpoints). */
async function claimBefore(db: Kysely<Database>): Promise<string[]> {
  const result = await sql<{ id: string }>`
    WITH claimed AS (
      UPDATE runs r SET status = 'running', lease_owner = 'bench', lease_expires_at = ${new Date(now.getTime() + 30_000)},
                        started_at = coalesce(r.started_at, ${now}), updated_at = ${now}
      FROM (
        SELECT id FROM runs
        WHERE ((status IN ('ready', 'waiting') AND available_at <= ${now})
           OR (status = 'running' AND lease_expires_at < ${now}))
          AND id <> ALL(${[]}::bigint[])
        ORDER BY available_at, id
        LIMIT ${LIMIT}
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE r.id = due.id
      RETURNING r.id, r.workflow_id, r.workflow_hash, r.event_id, r.parent_run_id, r.status, r.input,
                r.cursor, r.seq, r.step_attempt, r.concurrency_key, r.concurrency_limit
    )
    SELECT c.*,
           CASE WHEN e.id IS NULL THEN NULL ELSE jsonb_build_object(
             'id', e.id::text, 'source', e.source, 'type', e.type, 'key', e.dedupe_key,
             'payload', e.payload, 'receivedAt', e.received_at) END AS event,
           (SELECT jsonb_agg(jsonb_build_object('seq', s.seq, 'attempt', s.attempt, 'step_id', s.step_id,
                     'status', s.status, 'output', s.output, 'error', s.error) ORDER BY s.seq, s.attempt)
            FROM run_steps s WHERE s.run_id = c.id) AS steps
    FROM claimed c LEFT JOIN events e ON e.id = c.event_id`.execute(db);
  return result.rows.map((r) => String(r.id));
}

const claimAfter = async (db: Kysely<Database>) =>
  (await claimRuns(db, 'bench', LIMIT, now, 30_000)).map((r) => r.id);

class Rollback extends Error {}
async function timed(db: Kysely<Database>, claim: (tx: Kysely<Database>) => Promise<string[]>) {
  let n = 0;
  const started = performance.now();
  await db
    .transaction()
    .execute(async (tx) => {
      n = (await claim(tx)).length;
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  if (n !== LIMIT) throw new Error(`a claim took ${n} runs, not ${LIMIT}`);
  return performance.now() - started;
}

async function fill(db: Kysely<Database>, prioritizedEvery: number | null): Promise<void> {
  await sql`DELETE FROM runs`.execute(db);
  const every = prioritizedEvery ?? 0;
  // due_by: every Nth run, spread over the next three days; null otherwise.
  const dueBy = (n: string) =>
    every === 0
      ? sql`NULL::timestamptz`
      : sql.raw(
          `CASE WHEN ${n} % ${every} = 0 THEN '2026-03-02T09:00:00Z'::timestamptz + (${n} * 37 % 4320) * interval '1 minute' END`,
        );
  for (const [status, count, at] of [
    ['ready', due, sql`${now}::timestamptz - (g * interval '1 millisecond')`],
    [
      'waiting',
      parked,
      sql`${now}::timestamptz + interval '1 hour' + (g * interval '1 millisecond')`,
    ],
    ['completed', ended, sql`${now}::timestamptz - interval '1 day'`],
  ] as const)
    await sql`
      INSERT INTO runs (workflow_id, workflow_hash, status, input, cursor, due_by, available_at, created_at, updated_at)
      SELECT 'bench', 'h', ${status}, '{}'::jsonb, 'a', ${dueBy('g')}, ${at}, ${now}, ${now}
      FROM generate_series(1, ${count}::int) g`.execute(db);
  await sql`ANALYZE runs`.execute(db);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const t = await openTestStore();
  const db = t.store.db;
  await sql`INSERT INTO workflow_versions (workflow_id, hash, definition, created_at) VALUES ('bench', 'h', '{}'::jsonb, ${now})`.execute(
    db,
  );
  console.log(
    `store ${TEST_STORE_KIND}; ${due} due, ${parked} parked, ${ended} ended runs; ${claims} claims of ${LIMIT} each way`,
  );
  for (const [label, every] of [
    ['no priorities', null],
    ['1 in 5 prioritized', 5],
  ] as const) {
    await fill(db, every);
    for (let i = 0; i < 20; i++) await Promise.all([timed(db, claimBefore), timed(db, claimAfter)]);
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < claims; i++) {
      before.push(await timed(db, claimBefore));
      after.push(await timed(db, claimAfter));
    }
    const b = median(before);
    const a = median(after);
    console.log(
      `${label}: before p50 ${b.toFixed(2)} ms, after p50 ${a.toFixed(2)} ms, after/before ${(a / b).toFixed(2)}`,
    );
  }
  await t.dispose();
}

await main();
