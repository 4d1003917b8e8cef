import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { dynamic, type StepType } from '../workflows/index.ts';
import type { AiTriage } from './triage.ts';

const NAME = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower case letters, digits, _ and -');
const distinct = (list: string[]) => new Set(list).size === list.length;

export const AiClassifyConfig = z.strictObject({
  /** What is classified; `exception_triage` is the one use so far. */
  use: z.literal('exception_triage'),
  case_id: dynamic(z.union([z.string().regex(/^\d{1,18}$/), z.int().positive()])),
  /** The gate: at or above it the recommendation is applied, below it a person reviews it. */
  threshold: z.number().min(0).max(1),
  categories: z.array(NAME).min(2).max(50).refine(distinct, 'categories repeat'),
  /** The teams a case may be routed to: the model can name no other. */
  teams: z.array(NAME).min(1).max(50).refine(distinct, 'teams repeat'),
  /** Labelled examples (people's decisions) put in the prompt, newest first. */
  examples: z.int().min(0).max(20).default(5),
  /** Ask for a severity too (low ... critical); applied with the rest at the gate. */
  severity: z.boolean().default(false),
  /** Ask for a drafted summary of the case, put in the case's note. */
  summary: z.boolean().default(false),
  /** Where a case with no owner goes when no usable answer comes; without it, it stays unassigned. */
  default_team: NAME.optional(),
});
export type AiClassifyConfig = z.infer<typeof AiClassifyConfig>;

/**
 * The `ai.classify` step: triage of an exception case (docs/AI.md). It never fails the run
 * because of the provider: without a usable answer the case keeps its default owner and the
 * output says `outcome: fallback` with the error code. Idempotent per step position: the
 * recommendation is keyed by ctx.idempotencyKey, so a repeat does not ask again.
 * Output: { recommendationId, outcome, category, team, action, confidence, errorCode }.
 */
export function aiClassifyStep(triage: AiTriage | null): StepType<AiClassifyConfig> {
  return {
    type: 'ai.classify',
    description:
      'Asks the AI provider to classify an exception case; applies it at or above the threshold, else leaves it to a person',
    config: AiClassifyConfig as z.ZodType<AiClassifyConfig>,
    sideEffect: true,
    ownIdempotency: 'the recommendation is recorded once per step position',
    async execute(ctx, config) {
      if (!triage)
        throw new CrossdockError(
          'AI_TRIAGE_UNAVAILABLE',
          'ai.classify steps run only in a Crossdock with a store',
        );
      const result = await triage.triage({
        caseId: String(config.case_id),
        threshold: config.threshold,
        categories: config.categories,
        teams: config.teams,
        examples: config.examples,
        wants: { severity: config.severity, summary: config.summary },
        defaultTeam: config.default_team ?? null,
        openKey: ctx.idempotencyKey,
        runId: ctx.runId,
        workflowId: ctx.workflowId,
      });
      ctx.log(result.outcome === 'fallback' ? 'warn' : 'info', `ai.classify: ${result.outcome}`, {
        recommendation: result.recommendationId,
        confidence: result.confidence,
        error: result.errorCode,
      });
      return { kind: 'done', output: result };
    },
    describe: (c) =>
      `would ask the AI provider to triage case ${String(c.case_id)} (applied at confidence >= ${c.threshold})`,
  };
}
