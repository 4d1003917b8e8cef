import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { runWithinSources, type Database } from '../store/index.ts';

/**
 * A principal limited to some event sources (a token made with `eventSources`) sees only
 * their events, and only runs started by them: a run belongs to the source of the event that
 * started it, a subflow run to its parent's. Runs without an event anywhere up their chain
 * (none today) are not shown to such a principal. Null: no limit.
 */
export function readableSources(principal: Principal | null): readonly string[] | null {
  return principal?.eventSources ?? null;
}

/**
 * Refuses (as not found: whether it exists is not theirs to know) a run outside the
 * principal's sources. Every run route that shows or acts on one run calls this first.
 */
export async function assertRunReadable(
  db: Kysely<Database>,
  principal: Principal | null,
  runId: string,
): Promise<void> {
  const sources = readableSources(principal);
  if (sources === null || !/^\d{1,18}$/.test(runId)) return;
  if (!(await runWithinSources(db, runId, sources)))
    throw new CrossdockError('RUN_NOT_FOUND', `No run ${runId}`, {
      category: 'user',
      retryable: false,
    });
}
