import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Principal } from '../auth/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';

/**
 * A principal limited to some event sources (a token made with `eventSources`) sees only
 * their events, and only runs started by them: a run belongs to the source of the event that
 * started it, a subflow run to its parent's. Runs without an event anywhere up their chain
 * (none today) are not shown to such a principal. Null: no limit.
 */
export function readableSources(principal: Principal | null): readonly string[] | null {
  return principal?.eventSources ?? null;
}

/** A WHERE condition on `runs` (the table's own name as alias): the run is within the sources. */
export function runInSources(sources: readonly string[] | null): RawBuilder<unknown> {
  if (sources === null) return sql`true`;
  return sql`EXISTS (
    WITH RECURSIVE chain (id, parent_run_id, event_id) AS (
      SELECT runs.id, runs.parent_run_id, runs.event_id
      UNION ALL
      SELECT p.id, p.parent_run_id, p.event_id FROM runs p JOIN chain c ON p.id = c.parent_run_id
    )
    SELECT 1 FROM chain JOIN events e ON e.id = chain.event_id WHERE e.source = ANY(${[...sources]}::text[]))`;
}

/**
 * Refuses (as not found: whether it exists is not theirs to know) a run outside the
 * principal's sources. Every run route that shows or acts on one run calls this first.
 */
export async function assertRunReadable(db: Kysely<Database>, principal: Principal | null, runId: string): Promise<void> {
  const sources = readableSources(principal);
  if (sources === null || !/^\d{1,18}$/.test(runId)) return;
  const found = await sql<{ id: string }>`SELECT runs.id FROM runs WHERE runs.id = ${runId} AND ${runInSources(sources)}`.execute(db);
  if (found.rows.length === 0) throw new CrossdockError('RUN_NOT_FOUND', `No run ${runId}`, { category: 'user', retryable: false });
}
