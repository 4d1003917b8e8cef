/** What GET /ai/recommendations answers for one recommendation (src/ai/reviews.ts RecommendationView). */
export interface Recommendation {
  id: string;
  use: string;
  caseId: string | null;
  runId: string | null;
  model: string;
  answeredModel: string | null;
  /** The redacted messages as sent, with the lists the answer had to choose from. */
  prompt: { categories?: string[]; teams?: string[] } | null;
  answer: Answer | null;
  confidence: number | null;
  threshold: number;
  outcome: 'applied' | 'review' | 'fallback';
  errorCode: string | null;
  errorMessage: string | null;
  latencyMs: number;
  attempts: number;
  tokens: { prompt: number | null; completion: number | null };
  /** Dollars at the model's configured price; null: no price configured for it. */
  costUsd: number | null;
  createdAt: string;
  reviewStatus: 'pending' | 'accepted' | 'overridden' | null;
  final: { category?: string; team?: string; severity?: string } | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

/** A triage answer: the class, the team, the next action and why. */
export interface Answer {
  category?: string;
  team?: string;
  action?: string;
  reason?: string;
  confidence?: number;
}

/** "40 %" of a confidence or a threshold in 0..1. */
export const share = (value: number | null) =>
  value === null ? '—' : `${Math.round(value * 1000) / 10} %`;

/** "carrier_delay → logistics". */
export const routed = (v: { category?: string; team?: string } | null) =>
  v ? `${v.category ?? '—'} → ${v.team ?? '—'}` : '—';

/** "$0.0042" of a cost in dollars; "no price" when the model had none configured. */
export const usd = (value: number | null) =>
  value === null
    ? 'no price'
    : value === 0
      ? '$0'
      : `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(2)}`;
