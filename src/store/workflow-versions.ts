import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Every workflow definition a run has been pinned to, by content hash (workflow_versions). */

type Db = Kysely<Database>;

export interface NewWorkflowVersion {
  workflowId: string;
  hash: string;
  definition: unknown;
  sourceFile: string | null;
}

/** Records each version once: loading the same content again keeps the first record (and its created_at). */
export async function saveWorkflowVersions(
  db: Db,
  versions: NewWorkflowVersion[],
  now: Date,
): Promise<void> {
  if (versions.length === 0) return;
  const rows = versions.map((v) => ({
    workflow_id: v.workflowId,
    hash: v.hash,
    definition: v.definition,
    source_file: v.sourceFile,
  }));
  // One statement for any number of versions: the rows travel as one jsonb parameter.
  await sql`
    INSERT INTO workflow_versions (workflow_id, hash, definition, source_file, created_at)
    SELECT workflow_id, hash, definition, source_file, ${now}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(workflow_id text, hash text, definition jsonb, source_file text)
    ON CONFLICT (workflow_id, hash) DO NOTHING`.execute(db);
}

export async function findWorkflowVersion(
  db: Db,
  workflowId: string,
  hash: string,
): Promise<{ definition: unknown; source_file: string | null } | undefined> {
  return db
    .selectFrom('workflow_versions')
    .select(['definition', 'source_file'])
    .where('workflow_id', '=', workflowId)
    .where('hash', '=', hash)
    .executeTakeFirst();
}

export interface StoredVersionRow {
  hash: string;
  label: string | number | null;
  source_file: string | null;
  created_at: Date | string;
  runs: string | number | null;
}

/**
 * Every stored version of a workflow, newest first (by when this store first saw it), with
 * the number of runs pinned to each: one query, the runs counted per hash in one grouped
 * pass over the runs_workflow index.
 */
export async function listWorkflowVersions(
  db: Db,
  workflowId: string,
): Promise<StoredVersionRow[]> {
  const rows = await sql<StoredVersionRow>`
    SELECT v.hash, v.definition->'version' AS label, v.source_file, v.created_at, r.runs
    FROM workflow_versions v
    LEFT JOIN (SELECT workflow_hash, count(*) AS runs FROM runs WHERE workflow_id = ${workflowId} GROUP BY workflow_hash) r ON r.workflow_hash = v.hash
    WHERE v.workflow_id = ${workflowId}
    ORDER BY v.created_at DESC, v.hash`.execute(db);
  return rows.rows;
}
