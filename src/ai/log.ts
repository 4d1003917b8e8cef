/**
 * The recommendation log and the labelled examples: the owner of `ai_recommendations` and
 * `ai_examples` (docs/ARCHITECTURE.md, "Data layer"). Every AI answer, or failure to get
 * one, is a row here, apart from the case it was about; what was finally done is written
 * beside it.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../store/index.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type RecommendationRow = Selectable<Database['ai_recommendations']>;
export type ExampleRow = Selectable<Database['ai_examples']>;

export interface NewRecommendation {
  openKey: string;
  use: string;
  caseId: string | null;
  runId: string | null;
  workflowId: string | null;
  inputHash: string;
  prompt: unknown;
  model: string;
  answeredModel: string | null;
  responseId: string | null;
  answer: unknown;
  confidence: number | null;
  threshold: number;
  outcome: 'applied' | 'review' | 'fallback';
  errorCode: string | null;
  errorMessage: string | null;
  latencyMs: number;
  attempts: number;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Dollars (costOf); null: the model has no configured price. */
  costUsd: number | null;
  reviewStatus: 'pending' | null;
  final: unknown;
  decidedBy: string | null;
  at: Date;
}

/**
 * Records one recommendation once per step position: a second insert with the same key
 * (a retried or recovered step) keeps the first row and returns it, so the provider's
 * first answer is the one acted on.
 */
export async function recordRecommendation(
  db: Db,
  r: NewRecommendation,
): Promise<{ row: RecommendationRow; created: boolean }> {
  const inserted = await db
    .insertInto('ai_recommendations')
    .values({
      open_key: r.openKey,
      use: r.use,
      case_id: r.caseId,
      run_id: r.runId,
      workflow_id: r.workflowId,
      input_hash: r.inputHash,
      prompt: JSON.stringify(r.prompt),
      model: r.model,
      answered_model: r.answeredModel,
      response_id: r.responseId,
      answer: r.answer === null ? null : JSON.stringify(r.answer),
      confidence: r.confidence,
      threshold: r.threshold,
      outcome: r.outcome,
      error_code: r.errorCode,
      error_message: r.errorMessage,
      latency_ms: Math.round(r.latencyMs),
      attempts: r.attempts,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      cost_usd: r.costUsd,
      created_at: r.at,
      review_status: r.reviewStatus,
      final: r.final === null ? null : JSON.stringify(r.final),
      decided_by: r.decidedBy,
      decided_at: r.decidedBy === null ? null : r.at,
    })
    .onConflict((oc) => oc.column('open_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  return { row: (await recommendationByKey(db, r.openKey))!, created: false };
}

export async function recommendationByKey(
  db: Db,
  openKey: string,
): Promise<RecommendationRow | undefined> {
  return db
    .selectFrom('ai_recommendations')
    .selectAll()
    .where('open_key', '=', openKey)
    .executeTakeFirst();
}

export async function recommendationById(
  db: Db,
  id: string,
  forUpdate = false,
): Promise<RecommendationRow | undefined> {
  let query = db.selectFrom('ai_recommendations').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export interface RecommendationFilter {
  use?: string;
  caseId?: string;
  outcome?: 'applied' | 'review' | 'fallback';
  reviewStatus?: 'pending' | 'accepted' | 'overridden';
  /** Rows older than this id only: the page after one that ended there. */
  beforeId?: string;
}

export async function listRecommendations(
  db: Db,
  filter: RecommendationFilter,
  limit: number,
): Promise<RecommendationRow[]> {
  let query = db.selectFrom('ai_recommendations').selectAll();
  if (filter.use) query = query.where('use', '=', filter.use);
  if (filter.caseId) query = query.where('case_id', '=', filter.caseId);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.reviewStatus) query = query.where('review_status', '=', filter.reviewStatus);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** A person's decision on a recommendation, in the caller's transaction (the row is locked). */
export async function recordDecision(
  db: Db,
  id: string,
  d: {
    status: 'accepted' | 'overridden';
    final: unknown;
    by: string;
    reason: string | null;
    at: Date;
  },
): Promise<void> {
  await db
    .updateTable('ai_recommendations')
    .set({
      review_status: d.status,
      final: JSON.stringify(d.final),
      decided_by: d.by,
      decided_at: d.at,
      decision_reason: d.reason,
    })
    .where('id', '=', id)
    .execute();
}

/** The label a person gave, once per recommendation (the unique key keeps the first). */
export async function recordExample(
  db: Db,
  e: {
    use: string;
    recommendationId: string;
    inputHash: string;
    input: string;
    label: unknown;
    source: 'accepted' | 'overridden';
    by: string;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('ai_examples')
    .values({
      use: e.use,
      recommendation_id: e.recommendationId,
      input_hash: e.inputHash,
      input: e.input,
      label: JSON.stringify(e.label),
      source: e.source,
      labelled_by: e.by,
      created_at: e.at,
    })
    .onConflict((oc) => oc.column('recommendation_id').doNothing())
    .execute();
}

/** The newest labelled examples of a use: the next prompts' examples, a retraining's set. */
export async function latestExamples(db: Db, use: string, limit: number): Promise<ExampleRow[]> {
  return db
    .selectFrom('ai_examples')
    .selectAll()
    .where('use', '=', use)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export interface OutcomeCounts {
  use: string;
  /** The category the model answered; null for fallbacks (no answer). */
  category: string | null;
  total: number;
  applied: number;
  review: number;
  fallback: number;
  pending: number;
  accepted: number;
  overridden: number;
  /** Applied by the gate, then overridden by a person: the gate's mistakes found so far. */
  appliedOverridden: number;
}

/** Recommendations made from since to until (both included), counted by use and answered category (an aggregate: raw SQL). */
export async function outcomeCounts(db: Db, since: Date, until: Date): Promise<OutcomeCounts[]> {
  const rows = await sql<Record<string, string | null>>`
    SELECT use, answer->>'category' AS category,
      count(*) AS total,
      count(*) FILTER (WHERE outcome = 'applied') AS applied,
      count(*) FILTER (WHERE outcome = 'review') AS review,
      count(*) FILTER (WHERE outcome = 'fallback') AS fallback,
      count(*) FILTER (WHERE review_status = 'pending') AS pending,
      count(*) FILTER (WHERE review_status = 'accepted') AS accepted,
      count(*) FILTER (WHERE review_status = 'overridden') AS overridden,
      count(*) FILTER (WHERE outcome = 'applied' AND review_status = 'overridden') AS applied_overridden
    FROM ai_recommendations
    WHERE created_at >= ${since} AND created_at <= ${until}
    GROUP BY 1, 2
    ORDER BY 1, 2 NULLS LAST`.execute(db);
  return rows.rows.map((r) => ({
    use: r.use!,
    category: r.category ?? null,
    total: Number(r.total),
    applied: Number(r.applied),
    review: Number(r.review),
    fallback: Number(r.fallback),
    pending: Number(r.pending),
    accepted: Number(r.accepted),
    overridden: Number(r.overridden),
    appliedOverridden: Number(r.applied_overridden),
  }));
}

export interface CostRow {
  use: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Dollars of the priced calls. */
  costUsd: number;
  /** Calls whose model had no price: their cost is unknown, not in costUsd. */
  unpriced: number;
}

/** Calls, tokens and dollars from since to until (both included), by use and UTC day (an aggregate: raw SQL). */
export async function costByUseAndDay(db: Db, since: Date, until: Date): Promise<CostRow[]> {
  const rows = await sql<Record<string, string | null>>`
    SELECT use, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
      count(*) AS calls,
      coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
      coalesce(sum(completion_tokens), 0) AS completion_tokens,
      coalesce(sum(cost_usd), 0) AS cost_usd,
      count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced
    FROM ai_recommendations
    WHERE created_at >= ${since} AND created_at <= ${until}
    GROUP BY 1, 2
    ORDER BY 2, 1`.execute(db);
  return rows.rows.map((r) => ({
    use: r.use!,
    day: r.day!,
    calls: Number(r.calls),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    costUsd: Number(r.cost_usd),
    unpriced: Number(r.unpriced),
  }));
}

/** Recommendations waiting for a person's review, all uses (the navigation's badge). */
export async function waitingReviews(db: Db): Promise<number> {
  const row = await db
    .selectFrom('ai_recommendations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('review_status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Dollars of the priced recommendations made since `since`: the spend a budget counts. Rows
 * that cost nothing add nothing; leaving them out lets the sum read the partial index of paid
 * rows alone (migration 0022).
 */
export async function spentSince(db: Db, since: Date): Promise<number> {
  const row = await db
    .selectFrom('ai_recommendations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('cost_usd'), sql<string>`0`).as('usd'))
    .where('created_at', '>=', since)
    .where(sql<boolean>`cost_usd > 0`) // a literal, so the planner can match the index's predicate
    .executeTakeFirstOrThrow();
  return Number(row.usd);
}

/** A case the gate routed, resolved by a person: the gate's category, the team that resolved it. */
export interface ResolvedTriage {
  recommendationId: string;
  prompt: unknown;
  category: string;
  team: string;
  /** The case's severity when a person resolved it. */
  severity: string;
}

/**
 * Recommendations the gate applied that no person decided on, whose case a person resolved
 * (a machine's resolution, `engine`, `ai-gate`, `workflow:` or `system:`, confirms nothing):
 * the case's team at resolution is a person's decision, even when it is not the team the
 * gate chose (the case was assigned again). Reads exception_cases and exception_events
 * without writing them (docs/ARCHITECTURE.md, "Reads that still reach past an owner").
 */
export async function resolvedTriages(db: Db, use: string): Promise<ResolvedTriage[]> {
  const rows = await sql<{
    id: string;
    prompt: unknown;
    category: string;
    team: string;
    severity: string;
  }>`
    SELECT r.id, r.prompt, r.final->>'category' AS category, c.owner_team AS team, c.severity
    FROM ai_recommendations r JOIN exception_cases c ON c.id = r.case_id
    WHERE r.use = ${use} AND r.outcome = 'applied' AND r.review_status IS NULL
      AND r.final->>'category' IS NOT NULL
      AND c.status = 'resolved' AND c.owner_team IS NOT NULL
      AND EXISTS (SELECT 1 FROM exception_events e
        WHERE e.case_id = c.id AND e.action = 'resolved'
          AND e.actor !~ '^(engine$|ai-gate$|workflow:|system:)')
    ORDER BY r.id`.execute(db);
  return rows.rows.map((r) => ({
    recommendationId: r.id,
    prompt: r.prompt,
    category: r.category,
    team: r.team,
    severity: r.severity,
  }));
}

/** Every labelled example of a use, oldest first: a retraining's set. */
export async function allExamples(db: Db, use: string): Promise<ExampleRow[]> {
  return db.selectFrom('ai_examples').selectAll().where('use', '=', use).orderBy('id').execute();
}

/**
 * The rows of a use's newest pass: those of the run that logged its newest row (a scoring
 * workflow's run logs one row per delivery it scored).
 */
export async function latestPass(db: Db, use: string): Promise<RecommendationRow[]> {
  const newest = await db
    .selectFrom('ai_recommendations')
    .select('run_id')
    .where('use', '=', use)
    .where('run_id', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest?.run_id) return [];
  return db
    .selectFrom('ai_recommendations')
    .selectAll()
    .where('use', '=', use)
    .where('run_id', '=', newest.run_id)
    .orderBy('id')
    .execute();
}

/**
 * Which of `values` (of the answer's field `key`) an earlier run of the use already acted
 * on (outcome `applied`): a delivery flagged before is not raised again.
 */
export async function appliedBefore(
  db: Db,
  use: string,
  key: string,
  values: string[],
  exceptRunId: string,
): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const rows = await db
    .selectFrom('ai_recommendations')
    .select(sql<string>`answer->>${key}`.as('value'))
    .distinct()
    .where('use', '=', use)
    .where('outcome', '=', 'applied')
    .where('run_id', '!=', exceptRunId)
    .where(sql<string>`answer->>${key}`, 'in', values)
    .execute();
  return new Set(rows.map((r) => r.value));
}
