import { sql, type Kysely } from 'kysely';
import type { AuditLog } from './log.ts';
import type { Database } from '../store/index.ts';

/**
 * Records each workflow whose current version differs from the last one the audit log saw
 * deployed (a new workflow, or changed files): "workflow.deploy" with old and new version.
 * Called when a process loads the workflow files; loading the same files again records nothing.
 */
export async function recordDeployments(
  audit: AuditLog,
  db: Kysely<Database>,
  workflows: { id: string; version: string; file: string | null }[],
  actor: string,
): Promise<number> {
  // One transaction for them all (a first start records every pack's workflows, 59 commits
  // before), holding the chain's head throughout, so two processes starting together do not
  // both record the same deployment.
  return db.transaction().execute(async (tx) => {
    await sql`SELECT seq FROM audit_head WHERE id FOR UPDATE`.execute(tx);
    const last = await sql<{ target: string; version: string }>`
      SELECT DISTINCT ON (target) target, details->>'version' AS version FROM audit_log
      WHERE action = 'workflow.deploy' ORDER BY target, seq DESC`.execute(tx);
    const deployed = new Map(last.rows.map((r) => [r.target, r.version]));
    let recorded = 0;
    for (const w of workflows) {
      const previous = deployed.get(`workflow:${w.id}`) ?? null;
      if (previous === w.version) continue;
      await audit.append(
        {
          actor,
          action: 'workflow.deploy',
          target: `workflow:${w.id}`,
          details: { version: w.version, previous, file: w.file },
        },
        tx,
      );
      recorded++;
    }
    return recorded;
  });
}
