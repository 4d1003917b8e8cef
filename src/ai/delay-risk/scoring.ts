/**
 * Scoring open deliveries for the risk of missing their promised date: one row in the
 * recommendation log per delivery and pass, and the priority list read back from the newest
 * pass. A score above the threshold is `applied` (flagged for the operations lead: the
 * workflow raises a case); below it, or an abstention, `review` (it stays on the list for a
 * person). A delivery still open after its promised day has missed it: risk 1, reason
 * `overdue`, answered by rule (`crossdock-rules`), no model asked. Nothing is done to the order itself: a score changes no record
 * anywhere.
 */
import type { Kysely } from 'kysely';
import { sha256 } from '../../connectors/ai/index.ts';
import type { Database } from '../../store/index.ts';
import { appliedBefore, latestPass, recordRecommendation, type RecommendationRow } from '../log.ts';
import { RULES_MODEL } from '../extract.ts';
import { GATE_ACTOR } from '../triage.ts';
import { DELAY_RISK_USE, featureText, isLate, LATE, ON_TIME } from './features.ts';
import type { DelayRiskModel, RiskScore } from './model.ts';
import type { Delivery } from './odoo-deliveries.ts';

export interface ScoredDelivery {
  recommendationId: string;
  pickingId: number;
  picking: string;
  order: string | null;
  /** YYYY-MM-DD (UTC). */
  promisedDate: string;
  promisedFrom: 'deadline' | 'scheduled';
  /** The probability of missing it; null when the model abstained. */
  risk: number | null;
  confidence: number;
  /** The features pulling most towards late (`carrier=cargoplus`, `weekday=fri`). */
  reasons: string[];
  /** Why it abstained, or a sentence of the score. */
  reason: string;
  flagged: boolean;
  /** Still open after its promised day: risk 1, no model asked. */
  overdue: boolean;
  model: string;
  scoredAt: string;
}

/** The reason of a delivery that already missed its promised date. */
export const OVERDUE = 'overdue';

export interface ScoringPass {
  runId: string;
  workflowId: string;
  /** The step's idempotency key: a repeated step finds its rows and logs nothing twice. */
  key: string;
  threshold: number;
  now: Date;
}

/** Scores each open delivery and logs it; riskiest first, abstentions last. */
export async function scoreDeliveries(
  db: Kysely<Database>,
  model: DelayRiskModel,
  open: Delivery[],
  pass: ScoringPass,
): Promise<ScoredDelivery[]> {
  const current = await model.current();
  const scored: ScoredDelivery[] = [];
  for (const d of open) {
    const started = performance.now();
    const text = featureText(d);
    // A delivery still open after its promised day has missed it: no model is asked.
    const overdue = isLate(d.promised, pass.now);
    const score: RiskScore = overdue
      ? { abstained: false, risk: 1, confidence: 1, reasons: [OVERDUE] }
      : current.score(text);
    const flagged = !score.abstained && score.risk >= pass.threshold;
    const promised = d.promised.toISOString().slice(0, 10);
    const reason = score.abstained
      ? `abstains: ${score.why}`
      : overdue
        ? `still open after its promised date ${promised}`
        : `${Math.round(score.risk * 100)}% risk of missing ${promised}` +
          (score.reasons.length ? `; most: ${score.reasons.join(', ')}` : '');
    const answer = {
      pickingId: String(d.pickingId),
      picking: d.picking,
      order: d.order,
      promisedDate: d.promised.toISOString().slice(0, 10),
      promisedFrom: d.promisedFrom,
      category: score.abstained ? null : score.risk >= 0.5 ? LATE : ON_TIME,
      overdue,
      risk: score.risk,
      confidence: score.confidence,
      reasons: score.reasons,
      reason,
    };
    const { row } = await recordRecommendation(db, {
      openKey: `${pass.key}:${d.pickingId}`,
      use: DELAY_RISK_USE,
      caseId: null,
      runId: pass.runId,
      workflowId: pass.workflowId,
      inputHash: sha256(text),
      // What the model was given: the features, and which delivery they describe.
      prompt: { features: text, picking: d.picking, order: d.order },
      model: overdue ? RULES_MODEL : current.answeredModel.split('@')[0]!,
      answeredModel: overdue ? RULES_MODEL : current.answeredModel,
      responseId: null,
      answer,
      confidence: score.confidence,
      threshold: pass.threshold,
      outcome: flagged ? 'applied' : 'review',
      errorCode: null,
      errorMessage: null,
      latencyMs: performance.now() - started,
      attempts: 1,
      promptTokens: null,
      completionTokens: null,
      // The built-in model and the rules ask no provider: they cost nothing.
      costUsd: 0,
      reviewStatus: null,
      final: flagged ? { flagged: true } : null,
      decidedBy: flagged ? GATE_ACTOR : null,
      at: pass.now,
    });
    scored.push(scoredOf(row));
  }
  return byRisk(scored);
}

/** The deliveries of `scored` flagged now that no earlier pass flagged: the ones to raise. */
export async function newlyFlagged(
  db: Kysely<Database>,
  scored: ScoredDelivery[],
  runId: string,
): Promise<ScoredDelivery[]> {
  const flagged = scored.filter((s) => s.flagged);
  const before = await appliedBefore(
    db,
    DELAY_RISK_USE,
    'pickingId',
    flagged.map((s) => String(s.pickingId)),
    runId,
  );
  return flagged.filter((s) => !before.has(String(s.pickingId)));
}

export interface PriorityList {
  /** When the newest pass scored, and with which threshold; null before the first pass. */
  scoredAt: string | null;
  threshold: number | null;
  runId: string | null;
  deliveries: ScoredDelivery[];
}

/** The newest pass's scores, riskiest first, abstentions last. */
export async function priorityList(db: Kysely<Database>, limit: number): Promise<PriorityList> {
  const rows = await latestPass(db, DELAY_RISK_USE);
  const first = rows[0];
  return {
    scoredAt: first ? first.created_at.toISOString() : null,
    threshold: first ? Number(first.threshold) : null,
    runId: first?.run_id ?? null,
    deliveries: byRisk(rows.map(scoredOf)).slice(0, limit),
  };
}

function scoredOf(row: RecommendationRow): ScoredDelivery {
  const a = row.answer as Record<string, unknown>;
  return {
    recommendationId: row.id,
    pickingId: Number(a.pickingId),
    picking: String(a.picking),
    order: (a.order as string | null) ?? null,
    promisedDate: String(a.promisedDate),
    promisedFrom: a.promisedFrom as 'deadline' | 'scheduled',
    risk: a.risk === null ? null : Number(a.risk),
    confidence: Number(row.confidence ?? 0),
    reasons: (a.reasons as string[]) ?? [],
    reason: String(a.reason),
    flagged: row.outcome === 'applied',
    model: row.answered_model ?? row.model,
    overdue: a.overdue === true,
    scoredAt: row.created_at.toISOString(),
  };
}

const byRisk = (list: ScoredDelivery[]) =>
  [...list].sort(
    (a, b) =>
      (b.risk ?? -1) - (a.risk ?? -1) ||
      a.promisedDate.localeCompare(b.promisedDate) ||
      a.pickingId - b.pickingId,
  );
