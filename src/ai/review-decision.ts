/**
 * What a person may decide on a recommendation (the body of POST
 * /api/v1/ai/recommendations/:id/decision) and what the decision makes of it: the value
 * recorded beside the recommendation and kept as its label, or a refusal of what cannot be
 * decided (a fallback, a decided row, a delay-risk score, a value outside the step's lists).
 */
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { SEVERITIES } from '../exceptions/index.ts';
import { DELAY_RISK_USE } from './delay-risk/features.ts';
import { EXTRACT_USE, ExtractedValues } from './extract-prompt.ts';
import type { RecommendationRow } from './log.ts';
import { isAbstention } from './provider.ts';

export const ReviewDecision = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('accept'), reason: z.string().trim().max(1000).optional() }),
  z.strictObject({
    decision: z.literal('override'),
    /** Exception triage: the category and team decided. */
    category: z.string().trim().min(1).max(100).optional(),
    team: z.string().trim().min(1).max(100).optional(),
    /** Exception triage: the case's severity decided; absent, the case keeps the severity it has. */
    severity: z.enum(SEVERITIES).optional(),
    /** Mail extraction: the values that replace the extracted ones (the others are kept). */
    values: ExtractedValues.optional(),
    reason: z.string().trim().min(1, 'say why the recommendation was wrong').max(1000),
  }),
]);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** What the decision makes of the recommendation; refuses what cannot be decided. */
export function finalOf(row: RecommendationRow, decision: ReviewDecision): Record<string, unknown> {
  if (row.outcome === 'fallback' || row.answer === null)
    throw new CrossdockError(
      'AI_REVIEW_ILLEGAL',
      `AI recommendation ${row.id} is a fallback (${row.error_code}): there is nothing to review`,
    );
  if (row.review_status === 'accepted' || row.review_status === 'overridden')
    throw new CrossdockError(
      'AI_REVIEW_ILLEGAL',
      `AI recommendation ${row.id} was already ${row.review_status} by ${row.decided_by}`,
    );
  if (row.use === DELAY_RISK_USE)
    throw new CrossdockError(
      'AI_REVIEW_ILLEGAL',
      `AI recommendation ${row.id} is a delay-risk score: the delivery's outcome labels it, not a review`,
    );
  if (row.use === EXTRACT_USE) return extractionFinal(row, decision);
  const answer = row.answer as { category: string | null; team: string | null };
  if (decision.decision === 'accept') {
    if (isAbstention(row.answer))
      throw new CrossdockError(
        'AI_REVIEW_ILLEGAL',
        `AI recommendation ${row.id}: the model abstained (${row.answer.reason}); override it with a category and team`,
      );
    if (row.outcome === 'applied')
      throw new CrossdockError(
        'AI_REVIEW_ILLEGAL',
        `AI recommendation ${row.id} was applied by the gate: override it, or leave it`,
      );
    return { category: answer.category!, team: answer.team! };
  }
  const lists = row.prompt as { categories: string[]; teams: string[] };
  if (decision.category === undefined || decision.team === undefined)
    throw new CrossdockError('AI_REVIEW_INVALID', 'The override is not valid', {
      details: (['category', 'team'] as const)
        .filter((k) => decision[k] === undefined)
        .map((path) => ({ path, message: 'required' })),
    });
  const problems = [
    ...(lists.categories.includes(decision.category)
      ? []
      : [{ path: 'category', message: `must be one of ${lists.categories.join(', ')}` }]),
    ...(lists.teams.includes(decision.team)
      ? []
      : [{ path: 'team', message: `must be one of ${lists.teams.join(', ')}` }]),
  ];
  if (problems.length > 0)
    throw new CrossdockError('AI_REVIEW_INVALID', 'The override is not valid', {
      details: problems,
    });
  return {
    category: decision.category,
    team: decision.team,
    ...(decision.severity ? { severity: decision.severity } : {}),
  };
}

/** An extraction's values as decided: the extracted ones, with a person's override over them. */
function extractionFinal(
  row: RecommendationRow,
  decision: ReviewDecision,
): Record<string, unknown> {
  const answer = row.answer as Record<string, { value: string }>;
  const extracted = Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, v.value]));
  if (decision.decision === 'accept') {
    if (row.outcome === 'applied')
      throw new CrossdockError(
        'AI_REVIEW_ILLEGAL',
        `AI recommendation ${row.id} was applied by the gate: override it, or leave it`,
      );
    return extracted;
  }
  if (decision.values === undefined)
    throw new CrossdockError('AI_REVIEW_INVALID', 'The override is not valid', {
      details: [
        { path: 'values', message: 'required: the values that replace the extracted ones' },
      ],
    });
  return { ...extracted, ...decision.values };
}
