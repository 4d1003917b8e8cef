import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { SerializedError } from '../../errors/index.ts';
import type { StepType } from '../../workflows/index.ts';

const SubflowConfig = z.strictObject({
  workflow: z.string().min(1),
  input: z.unknown().optional(),
});

type SubflowState = { childRunId: string };
export const subflowSignalName = (childRunId: string) => `subflow:${childRunId}`;
export type SubflowResult =
  | { status: 'completed'; output: unknown }
  | { status: 'failed' | 'cancelled'; error: SerializedError | null };

/**
 * Starts a child run and waits for it. The child is created once per parent step
 * (unique on parent run + position), so a retried or replayed parent step finds the
 * child it already started instead of starting another. The child's end arrives as a
 * signal, so the parent holds no worker while the child runs.
 */
export const subflowStep: StepType<z.infer<typeof SubflowConfig>> = {
  type: 'subflow',
  description: 'Runs another workflow as a child run and continues with its output',
  config: SubflowConfig,
  sideEffect: false,
  async execute(ctx, config) {
    const state = (ctx.resumeState as SubflowState | undefined) ?? {
      childRunId: await ctx.startSubflow(config.workflow, config.input ?? ctx.scope.input),
    };
    const received = await ctx.takeSignal(subflowSignalName(state.childRunId));
    if (!received) return { kind: 'suspend', state };
    const result = received.payload as SubflowResult;
    if (result.status === 'completed') return { kind: 'done', output: result.output };
    throw new CrossdockError(
      'SUBFLOW_FAILED',
      `Child run ${state.childRunId} of "${config.workflow}" ended ${result.status}: ${result.error?.message ?? ''}`,
      {
        category: 'user',
        retryable: false,
      },
    );
  },
  describe: (c) => `would run workflow "${c.workflow}" as a child run`,
};
