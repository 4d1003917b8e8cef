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
  description:
    "Cancels another workflow's active runs for one business object (by concurrency key)",
  config: CancelRunsConfig as z.ZodType<CancelRunsConfig>,
  sideEffect: true,
  async execute(ctx, config) {
    const reason =
      config.reason ?? `cancelled by ${ctx.workflowId} (run ${ctx.runId}, step ${ctx.stepId})`;
    const cancelled = await ctx.cancelRuns(config.workflow, config.concurrency_key, reason);
    return { kind: 'done', output: { cancelled, count: cancelled.length } };
  },
  describe: (c) =>
    `would cancel the active runs of ${c.workflow} with concurrency key ${c.concurrency_key}`,
};

const SignalRunsConfig = z.strictObject({
  /** The workflow whose runs are signalled (not an expression: `validate` checks that it exists). */
  workflow: z.string().min(1),
  /** Its concurrency keys for the business objects concerned (one, or a list; none signals nothing). */
  concurrency_keys: dynamic(z.array(z.string().min(1).max(500)).max(1000)),
  signal: z.string().min(1).max(200),
  payload: z.record(z.string(), z.unknown()).optional(),
});
type SignalRunsConfig = z.infer<typeof SignalRunsConfig>;

/**
 * Sends a named signal to another workflow's active runs, found by their concurrency keys:
 * how a picking that became ready tells the order held for it to check again. A run not
 * waiting for it yet finds it buffered. Sending it again (a retry, a second "ready") sends
 * the same signal again; the receiving workflow treats a repeat as harmless.
 */
export const signalRunsStep: StepType<SignalRunsConfig> = {
  type: 'runs.signal',
  description:
    "Sends a signal to another workflow's active runs for some business objects (by concurrency key)",
  config: SignalRunsConfig as z.ZodType<SignalRunsConfig>,
  sideEffect: true,
  async execute(ctx, config) {
    const signalled: string[] = [];
    for (const key of new Set(config.concurrency_keys as unknown as string[])) {
      signalled.push(
        ...(await ctx.signalRuns(config.workflow, key, config.signal, config.payload ?? null)),
      );
    }
    return { kind: 'done', output: { signalled, count: signalled.length } };
  },
  describe: (c) =>
    `would send signal "${c.signal}" to the active runs of ${c.workflow} with concurrency keys ${String(c.concurrency_keys)}`,
};
