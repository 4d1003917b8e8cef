import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';
import { trainTriageModel } from './training.ts';

export const AiTrainConfig = z.strictObject({
  /** The model retrained; `exception_triage` is the one use so far. */
  use: z.literal('exception_triage'),
});
export type AiTrainConfig = z.infer<typeof AiTrainConfig>;

/**
 * The `ai.train` step: retrains the built-in offline model of a use from the site's history
 * (people's overrides and accepted reviews, cases resolved by people) and stores it as the
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
    async execute(ctx) {
      if (!db)
        throw new CrossdockError(
          'AI_TRIAGE_UNAVAILABLE',
          'ai.train steps run only in a Crossdock with a store',
        );
      const summary = await trainTriageModel(db, {
        now: ctx.now(),
        by: `workflow:${ctx.workflowId} run:${ctx.runId}`,
      });
      ctx.log('info', `ai.train: version ${summary.version} from ${summary.examples} example(s)`, {
        sources: summary.sources,
        answers: summary.answers,
      });
      return { kind: 'done', output: summary };
    },
    describe: (c) => `would retrain the offline ${c.use} model from the site's history`,
  };
}
