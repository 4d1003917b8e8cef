/**
 * People's decisions on recommendations: accept a recommendation the gate left for review,
 * or override one (left for review, or applied by the gate). The decision, its audit entry
 * and the labelled example commit together; then the case follows it (assigned to the team
 * decided, with a note). Every decision becomes a labelled example: the next prompts carry
 * the newest, and a retraining reads them all.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Actor, ExceptionsService, Severity } from '../exceptions/index.ts';
import type { Database } from '../store/index.ts';
import {
  costByUseAndDay,
  latestExamples,
  listRecommendations,
  outcomeCounts,
  recommendationById,
  recordDecision,
  recordExample,
  waitingReviews,
  type CostRow,
  type ExampleRow,
  type OutcomeCounts,
  type RecommendationFilter,
  type RecommendationRow,
} from './log.ts';
import { EXTRACT_USE } from './extract-prompt.ts';
import { REVIEW_SIGNAL } from './extract.ts';
import { applyToCase } from './triage.ts';
import { DELAY_RISK_USE } from './delay-risk/features.ts';
import { priorityList, type PriorityList } from './delay-risk/scoring.ts';
import type { AiSpendingLimit, BudgetStatus } from './budget.ts';
import { finalOf, ReviewDecision } from './review-decision.ts';

export { ReviewDecision } from './review-decision.ts';

export interface RecommendationView {
  id: string;
  use: string;
  caseId: string | null;
  runId: string | null;
  model: string;
  answeredModel: string | null;
  inputHash: string;
  /** The messages sent, after redaction. */
  prompt: unknown;
  answer: unknown;
  confidence: number | null;
  threshold: number;
  outcome: 'applied' | 'review' | 'fallback';
  errorCode: string | null;
  errorMessage: string | null;
  latencyMs: number;
  attempts: number;
  tokens: { prompt: number | null; completion: number | null };
  /** Dollars at the model's configured price; null: no price was configured for it. */
  costUsd: number | null;
  createdAt: string;
  reviewStatus: 'pending' | 'accepted' | 'overridden' | null;
  final: unknown;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface AiReviewsOptions {
  db: Kysely<Database>;
  exceptions: ExceptionsService;
  audit: AuditLog;
  now: () => Date;
  /** Tells a run waiting on an extraction's review (`ai.review`) what the person decided. */
  signal?: (runId: string, name: string, payload: unknown) => Promise<void>;
  /** The provider's spending limit; null or absent: none configured. */
  budget?: AiSpendingLimit | null;
}

export class AiReviews {
  readonly #o: AiReviewsOptions;

  constructor(options: AiReviewsOptions) {
    this.#o = options;
  }

  /** Newest first; `limit` is capped at 1000 (a page of 500 and the row that says another follows). */
  async list(filter: RecommendationFilter, limit = 50): Promise<RecommendationView[]> {
    return (await listRecommendations(this.#o.db, filter, Math.min(limit, 1000))).map(toView);
  }

  async show(id: string): Promise<RecommendationView> {
    return toView(await this.#load(this.#o.db, id));
  }

  /**
   * Outcomes and overrides by use and answered category, of the recommendations made in
   * [since, until] (until: now when not given). The override rate is
   * overridden / (applied + accepted + overridden): of the recommendations that were acted
   * on or decided, how many a person found wrong; `appliedOverridden` counts the gate's own.
   * Delay-risk scores are left out.
   */
  async summary(
    since: Date,
    until: Date = this.#o.now(),
  ): Promise<(OutcomeCounts & { overrideRate: number | null })[]> {
    // Delay-risk scores are not decided by people (the delivery's outcome labels them): they
    // have no override rate, and their flags would read as decisions no one overrode.
    const counts = await outcomeCounts(this.#o.db, since, until);
    return counts
      .filter((c) => c.use !== DELAY_RISK_USE)
      .map((c) => {
        const decided = c.applied + c.accepted + c.overridden - c.appliedOverridden;
        return { ...c, overrideRate: decided === 0 ? null : c.overridden / decided };
      });
  }

  /** The open deliveries of the newest delay-risk pass, riskiest first (docs/AI.md, "Delay risk"). */
  async delayRisk(limit = 50): Promise<PriorityList> {
    return priorityList(this.#o.db, Math.min(limit, 500));
  }

  /**
   * What the recommendations made in [since, until] cost: the total, by use and by UTC day
   * (each day's row by use). Calls of a model without a configured price count in `unpriced`,
   * never as 0 dollars.
   */
  async cost(since: Date, until: Date = this.#o.now()): Promise<CostSummary> {
    const rows = await costByUseAndDay(this.#o.db, since, until);
    const add = (into: CostTotals, r: CostRow) => {
      into.calls += r.calls;
      into.promptTokens += r.promptTokens;
      into.completionTokens += r.completionTokens;
      into.costUsd = roundUsd(into.costUsd + r.costUsd);
      into.unpriced += r.unpriced;
    };
    const total = emptyTotals();
    const byUse = new Map<string, CostTotals & { use: string }>();
    for (const r of rows) {
      add(total, r);
      const u = byUse.get(r.use) ?? { use: r.use, ...emptyTotals() };
      add(u, r);
      byUse.set(r.use, u);
    }
    return {
      ...total,
      byUse: [...byUse.values()],
      byDay: rows.map((r) => ({ ...r, costUsd: roundUsd(r.costUsd) })),
    };
  }

  /** How many recommendations wait for a person's review (the review tasks), all uses. */
  async waiting(): Promise<number> {
    return waitingReviews(this.#o.db);
  }

  /** Spend of the UTC day and month against the provider's limits; null without a limit. */
  async budget(): Promise<BudgetStatus | null> {
    return this.#o.budget ? this.#o.budget.status() : null;
  }

  /** The newest labelled examples of a use, for a retraining or a prompt. */
  async examples(use: string, limit = 100): Promise<ExampleRow[]> {
    return latestExamples(this.#o.db, use, limit);
  }

  async decide(id: string, input: unknown, who: Actor): Promise<RecommendationView> {
    const parsed = ReviewDecision.safeParse(input);
    if (!parsed.success)
      throw new CrossdockError('AI_REVIEW_INVALID', 'The review decision is not valid', {
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    const decision = parsed.data;
    const now = this.#o.now();
    const { row, final } = await this.#o.db.transaction().execute(async (tx) => {
      const row = await this.#load(tx, id, true);
      const final = finalOf(row, decision);
      const status = decision.decision === 'accept' ? 'accepted' : 'overridden';
      await recordDecision(tx, row.id, {
        status,
        final,
        by: who.actor,
        reason: decision.reason ?? null,
        at: now,
      });
      const prompt = row.prompt as { messages: { role: string; content: string }[] };
      await recordExample(tx, {
        use: row.use,
        recommendationId: row.id,
        inputHash: row.input_hash,
        input: prompt.messages.find((m) => m.role === 'user')?.content ?? '',
        label: final,
        source: status,
        by: who.actor,
        at: now,
      });
      await this.#o.audit.append(
        {
          actor: who.actor,
          action: `ai.${status === 'accepted' ? 'accept' : 'override'}`,
          target: `ai_recommendation:${row.id}`,
          details: {
            case: row.case_id,
            answer: row.answer,
            final,
            reason: decision.reason ?? null,
          },
          requestId: who.requestId ?? null,
        },
        tx,
      );
      return { row, final };
    });
    if (row.use === EXTRACT_USE) {
      // Only a review holds a run waiting; an applied extraction's run went on at once.
      if (row.outcome === 'review' && row.run_id !== null && this.#o.signal)
        await this.#o.signal(row.run_id, REVIEW_SIGNAL, {
          recommendationId: row.id,
          status: decision.decision === 'accept' ? 'accepted' : 'overridden',
          by: who.actor,
          values: final,
        });
    } else if (row.case_id !== null) {
      const f = final as { category: string; team: string; severity?: Severity };
      const note =
        decision.decision === 'accept'
          ? `AI recommendation ${row.id} accepted: category ${f.category}, team ${f.team}.`
          : `AI recommendation ${row.id} overridden: category ${f.category}, team ${f.team}${f.severity ? `, severity ${f.severity}` : ''} (was ${(row.answer as { team: string | null }).team ?? 'no answer: the model abstained'}). Reason: ${decision.reason}`;
      const answer = row.answer as { severity?: Severity | null; summary?: string };
      await applyToCase(
        this.#o.exceptions,
        row.case_id,
        {
          ...f,
          // The severity the model assessed goes with an accepted answer; an override sets the
          // one the person chose, or leaves the case's as it is.
          severity:
            decision.decision === 'accept' ? (answer.severity ?? null) : (f.severity ?? null),
          summary: answer.summary ?? null,
          recommendationId: row.id,
        },
        who.actor,
        note,
      );
    }
    return this.show(id);
  }

  async #load(db: Kysely<Database>, id: string, forUpdate = false): Promise<RecommendationRow> {
    const row = /^\d{1,18}$/.test(id) ? await recommendationById(db, id, forUpdate) : undefined;
    if (!row) throw new CrossdockError('AI_RECOMMENDATION_NOT_FOUND', `No AI recommendation ${id}`);
    return row;
  }
}

export interface CostTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unpriced: number;
}

export interface CostSummary extends CostTotals {
  byUse: (CostTotals & { use: string })[];
  byDay: CostRow[];
}

const emptyTotals = (): CostTotals => ({
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  unpriced: 0,
});

/** Dollars to the hundred-millionth: sums of numerics read as floats drift otherwise. */
const roundUsd = (usd: number) => Math.round(usd * 1e8) / 1e8;

function toView(r: RecommendationRow): RecommendationView {
  return {
    id: r.id,
    use: r.use,
    caseId: r.case_id,
    runId: r.run_id,
    model: r.model,
    answeredModel: r.answered_model,
    inputHash: r.input_hash,
    prompt: r.prompt,
    answer: r.answer,
    confidence: r.confidence === null ? null : Number(r.confidence),
    threshold: Number(r.threshold),
    outcome: r.outcome,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    latencyMs: r.latency_ms,
    attempts: r.attempts,
    tokens: { prompt: r.prompt_tokens, completion: r.completion_tokens },
    costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    createdAt: r.created_at.toISOString(),
    reviewStatus: r.review_status,
    final: r.final,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : r.decided_at.toISOString(),
    decisionReason: r.decision_reason,
  };
}
