import { sql, type Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from './schema.ts';

/** Every workflow definition a run has been pinned to, by content hash (workflow_versions). */

type Db = Kysely<Database>;

export interface NewWorkflowVersion {
  workflowId: string;
  hash: string;
  definition: unknown;
  sourceFile: string | null;
  /** The YAML text it was saved as (versions saved from the editor). */
  sourceText?: string;
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
    source_text: v.sourceText ?? null,
  }));
  // One statement for any number of versions: the rows travel as one jsonb parameter.
  await sql`
    INSERT INTO workflow_versions (workflow_id, hash, definition, source_file, created_at, source_text)
    SELECT workflow_id, hash, definition, source_file, ${now}, source_text
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(workflow_id text, hash text, definition jsonb, source_file text, source_text text)
    ON CONFLICT (workflow_id, hash) DO NOTHING`.execute(db);
}

export async function findWorkflowVersion(
  db: Db,
  workflowId: string,
  hash: string,
): Promise<
  { definition: unknown; source_file: string | null; source_text: string | null } | undefined
> {
  return db
    .selectFrom('workflow_versions')
    .select(['definition', 'source_file', 'source_text'])
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
  edited: boolean;
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
    SELECT v.hash, v.definition->'version' AS label, v.source_file, v.created_at, r.runs, v.source_text IS NOT NULL AS edited
    FROM workflow_versions v
    LEFT JOIN (SELECT workflow_hash, count(*) AS runs FROM runs WHERE workflow_id = ${workflowId} GROUP BY workflow_hash) r ON r.workflow_hash = v.hash
    WHERE v.workflow_id = ${workflowId}
    ORDER BY v.created_at DESC, v.hash`.execute(db);
  return rows.rows;
}

export interface WorkflowEdit {
  workflowId: string;
  /** The version loaded from the files when the first edit was saved. */
  baseHash: string;
  /** The version saved last: current while the files still hold `baseHash`. */
  hash: string;
  savedBy: string;
  savedAt: Date;
}

/**
 * Stores a version saved from the editor and makes it the workflow's edited head, in one
 * transaction with `alsoInTransaction` (the audit entry), so a saved version is never left
 * without its entry nor an entry without its version. The version row keeps its first
 * record if the same content was stored before.
 *
 * `expectedHash` is the version the caller saw current: the head moves only from it (or, when
 * the head belongs to an older file version, from the file's version), so of two saves from
 * the same version in any processes, the second is refused with WORKFLOW_VERSION_CONFLICT. A
 * first save of a workflow inserts the row; a concurrent one waits on the primary key, then
 * finds the other's head and is refused as well.
 */
export async function saveWorkflowEdit(
  db: Db,
  version: NewWorkflowVersion & { sourceText: string },
  edit: WorkflowEdit,
  expectedHash: string,
  alsoInTransaction: (tx: Db) => Promise<void>,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await saveWorkflowVersions(tx, [version], edit.savedAt);
    const moved = await sql`
      INSERT INTO workflow_edits (workflow_id, base_hash, hash, saved_by, saved_at)
      VALUES (${edit.workflowId}, ${edit.baseHash}, ${edit.hash}, ${edit.savedBy}, ${edit.savedAt})
      ON CONFLICT (workflow_id) DO UPDATE
        SET base_hash = EXCLUDED.base_hash, hash = EXCLUDED.hash, saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at
        WHERE workflow_edits.base_hash <> EXCLUDED.base_hash OR workflow_edits.hash = ${expectedHash}
      RETURNING workflow_id`.execute(tx);
    if (moved.rows.length === 0)
      throw new CrossdockError(
        'WORKFLOW_VERSION_CONFLICT',
        `Workflow "${edit.workflowId}" was saved elsewhere since version ${expectedHash.slice(0, 12)}: reload it and apply the change again`,
        { category: 'user', retryable: false },
      );
    await alsoInTransaction(tx);
  });
}

/** Every workflow's edited head (a handful of rows: one per workflow ever edited). */
export async function listWorkflowEdits(db: Db): Promise<WorkflowEdit[]> {
  const rows = await db.selectFrom('workflow_edits').selectAll().execute();
  return rows.map((r) => ({
    workflowId: r.workflow_id,
    baseHash: r.base_hash,
    hash: r.hash,
    savedBy: r.saved_by,
    savedAt: new Date(r.saved_at),
  }));
}
