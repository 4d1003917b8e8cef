import { z } from 'zod';
import { dynamic, type StepType } from '../../workflows/index.ts';

const CancelRunsConfig = z.strictObject({
  /** The workflow whose runs stop (not an expression: `validate` checks that it exists). */
  workflow: z.string().min(1),
  /** Its concurrency key for the business object, e.g. "= 'sale.order:' & $string(input.id)". */
  concurrency_key: dynamic(z.string().min(1).max(500)),
  reason: dynamic(z.string().min(1).max(1000)).optional(),
});
type CancelRunsConfig = z.infer<typeof CancelRunsConfig>;

/**
 * Cancels the active runs of another workflow for one business object (its concurrency key):
 * how a cancel event stops a release in flight. A cancelled run starts no further step: its
 * next checkpoint is refused (checkpoints are written only while a run is `running`), and a
 * step in flight in this process is aborted at once (in another process at its next lease
 * renewal). Running it again cancels nothing more, so no idempotency key is needed.
 */
export const cancelRunsStep: StepType<CancelRunsConfig> = {
  type: 'runs.cancel',
  description: "Cancels another workflow's active runs for one business object (by concurrency key)",
  config: CancelRunsConfig as z.ZodType<CancelRunsConfig>,
  sideEffect: true,
  async execute(ctx, config) {
    const reason = config.reason ?? `cancelled by ${ctx.workflowId} (run ${ctx.runId}, step ${ctx.stepId})`;
    const cancelled = await ctx.cancelRuns(config.workflow, config.concurrency_key, reason);
    return { kind: 'done', output: { cancelled, count: cancelled.length } };
  },
  describe: (c) => `would cancel the active runs of ${c.workflow} with concurrency key ${c.concurrency_key}`,
};
