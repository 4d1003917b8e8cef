import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';
import { trainDelayRiskModel } from './delay-risk/model.ts';
import { trainTriageModel } from './training.ts';

export const AiTrainConfig = z.strictObject({
  /** The model retrained: exception triage's, or delay risk's. */
  use: z.enum(['exception_triage', 'delay_risk']),
});
export type AiTrainConfig = z.infer<typeof AiTrainConfig>;

/**
 * The `ai.train` step: retrains the built-in offline model of a use from the site's history
 * (triage: people's overrides and accepted reviews, cases resolved by people; delay risk:
 * the deliveries the scoring passes kept, and imported files) and stores it as the
 * next version, which the next triage uses. A repeat trains again from the same history: one
 * more version of the same model, harmless. Output: the training's summary (version,
 * examples by source, classes, calibration, whether it answers yet).
 */
export function aiTrainStep(db: Kysely<Database> | null): StepType<AiTrainConfig> {
  return {
    type: 'ai.train',
    description:
      "Retrains the built-in offline AI model from the site's resolved cases and people's decisions",
    config: AiTrainConfig as z.ZodType<AiTrainConfig>,
    sideEffect: true,
    ownIdempotency: 'a repeat stores the same model again as a new version',
    async execute(ctx, config) {
      if (!db)
        throw new CrossdockError(
          'AI_TRIAGE_UNAVAILABLE',
          'ai.train steps run only in a Crossdock with a store',
        );
      const by = `workflow:${ctx.workflowId} run:${ctx.runId}`;
      const summary =
        config.use === 'delay_risk'
          ? await trainDelayRiskModel(db, { now: ctx.now(), by })
          : await trainTriageModel(db, { now: ctx.now(), by });
      ctx.log('info', `ai.train: version ${summary.version} from ${summary.examples} example(s)`, {
        sources: summary.sources,
        answers: summary.answers,
      });
      return { kind: 'done', output: summary };
    },
    describe: (c) => `would retrain the offline ${c.use} model from the site's history`,
  };
}
