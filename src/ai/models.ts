/**
 * The owner of `ai_models` and `ai_seed_examples` (docs/ARCHITECTURE.md, "Data layer"): the
 * built-in offline models, one row per training, never changed (the current model of a use is
 * its highest version), and the labelled cases imported from files.
 */
import { sql, type Selectable } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Db } from './log.ts';

export type ModelRow = Selectable<Database['ai_models']>;

export interface NewModel {
  use: string;
  kind: string;
  trainedAt: Date;
  trainedBy: string;
  examples: number;
  sources: Record<string, number>;
  /** The classes it can answer: triage's `{ category, team, examples }`, delay risk's `{ label, examples }`. */
  classes: readonly unknown[];
  calibration: unknown;
  params: unknown;
}

/**
 * Stores a training as the use's next version. The version is taken in the insert itself; two
 * trainings at once (two workers on one schedule slot cannot: the slot's event is deduped) would
 * meet the (use, version) key and the later one fails rather than share a number.
 */
export async function saveModel(db: Db, m: NewModel): Promise<ModelRow> {
  const result = await sql<ModelRow>`
    INSERT INTO ai_models (use, version, kind, trained_at, trained_by, examples, sources, classes, calibration, params)
    SELECT ${m.use}, coalesce(max(version), 0) + 1, ${m.kind}, ${m.trainedAt}, ${m.trainedBy}, ${m.examples},
      ${JSON.stringify(m.sources)}::jsonb, ${JSON.stringify(m.classes)}::jsonb,
      ${JSON.stringify(m.calibration)}::jsonb, ${JSON.stringify(m.params)}::jsonb
    FROM ai_models WHERE use = ${m.use}
    RETURNING *`.execute(db);
  return result.rows[0]!;
}

/**
 * A fitted naive Bayes stored as the use's next version, and what every training reports of
 * it (each use adds whether it answers, and how many examples a file brought).
 */
export async function saveNaiveBayes<U extends string, C, S extends Record<string, number>, K>(
  db: Db,
  m: Omit<NewModel, 'use' | 'kind' | 'classes' | 'sources' | 'calibration'> & {
    use: U;
    classes: C[];
    sources: S;
    calibration: K;
  },
) {
  const row = await saveModel(db, { ...m, kind: 'naive_bayes' });
  return {
    use: m.use,
    version: row.version,
    trainedAt: m.trainedAt.toISOString(),
    trainedBy: m.trainedBy,
    examples: m.examples,
    sources: m.sources,
    classes: m.classes,
    calibration: m.calibration,
  };
}

/** The version of the use's current model, without its parameters (a cheap check). */
export async function currentModelVersion(db: Db, use: string): Promise<number | null> {
  const row = await db
    .selectFrom('ai_models')
    .select('version')
    .where('use', '=', use)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.version ?? null;
}

export async function modelByVersion(
  db: Db,
  use: string,
  version: number,
): Promise<ModelRow | undefined> {
  return db
    .selectFrom('ai_models')
    .selectAll()
    .where('use', '=', use)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** The trainings of a use, newest first, without their parameters. */
export async function listModels(
  db: Db,
  use: string,
  limit: number,
): Promise<Omit<ModelRow, 'params'>[]> {
  return db
    .selectFrom('ai_models')
    .select([
      'id',
      'use',
      'version',
      'kind',
      'trained_at',
      'trained_by',
      'examples',
      'sources',
      'classes',
      'calibration',
    ])
    .where('use', '=', use)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
}

export type SeedExampleRow = Selectable<Database['ai_seed_examples']>;

/** Imports labelled cases once per redacted input; returns how many were new. */
export async function addSeedExamples(
  db: Db,
  use: string,
  rows: { inputHash: string; input: string; label: unknown }[],
  from: { file: string; by: string; at: Date },
): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db
      .insertInto('ai_seed_examples')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          use,
          input_hash: r.inputHash,
          input: r.input,
          label: JSON.stringify(r.label),
          source_file: from.file,
          added_by: from.by,
          created_at: from.at,
        })),
      )
      .onConflict((oc) => oc.columns(['use', 'input_hash']).doNothing())
      .returning('id')
      .execute();
    added += inserted.length;
  }
  return added;
}

export async function seedExamples(db: Db, use: string): Promise<SeedExampleRow[]> {
  return db
    .selectFrom('ai_seed_examples')
    .selectAll()
    .where('use', '=', use)
    .orderBy('id')
    .execute();
}
