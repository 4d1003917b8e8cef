import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import { dynamic, type StepType } from '../../workflows/index.ts';

const WaitConfig = z
  .strictObject({
    /** Wait this long (from the first time the step runs). */
    duration_ms: dynamic(z.int().min(0)).optional(),
    /** Wait until this time (ISO 8601). */
    until: dynamic(z.iso.datetime({ offset: true })).optional(),
    /** Wait for a signal with this name; `duration_ms` / `until` is then its timeout. */
    signal: dynamic(z.string().min(1)).optional(),
    /** Where to go when a signal does not arrive in time; without it the step fails WAIT_TIMED_OUT. */
    on_timeout: z.string().optional(),
  })
  .refine((c) => c.duration_ms !== undefined || c.until !== undefined || c.signal !== undefined, {
    message: 'a wait needs duration_ms, until or signal',
  })
  .refine((c) => !(c.duration_ms !== undefined && c.until !== undefined), {
    message: 'give duration_ms or until, not both',
  });

type WaitState = { deadline: string | null };

/**
 * A durable wait. It holds no worker: the step suspends, the run is parked with
 * available_at = deadline, and a signal or the deadline brings it back. The deadline is
 * fixed the first time the step runs and kept in its checkpoint, so a crash or an early
 * wake-up never extends it.
 */
export const waitStep: StepType<z.infer<typeof WaitConfig>> = {
  type: 'wait',
  description: 'Waits until a time, for a duration, or for a named signal (with a timeout)',
  config: WaitConfig as z.ZodType<z.infer<typeof WaitConfig>>,
  sideEffect: false,
  targets: (c) => (c.on_timeout ? [c.on_timeout] : []),
  async execute(ctx, config) {
    const state = (ctx.resumeState as WaitState | undefined) ?? {
      deadline: firstDeadline(config, ctx.now()),
    };
    if (typeof config.signal === 'string') {
      const received = await ctx.takeSignal(config.signal);
      if (received)
        return {
          kind: 'done',
          output: { signal: config.signal, payload: received.payload, timedOut: false },
        };
    }
    const deadline = state.deadline === null ? null : new Date(state.deadline);
    if (deadline === null || ctx.now() < deadline) {
      return deadline === null
        ? { kind: 'suspend', state }
        : { kind: 'suspend', until: deadline, state };
    }
    if (typeof config.signal !== 'string')
      return { kind: 'done', output: { waitedUntil: state.deadline, timedOut: false } };
    if (config.on_timeout)
      return {
        kind: 'done',
        output: { signal: config.signal, timedOut: true },
        next: config.on_timeout,
      };
    throw new CrossdockError(
      'WAIT_TIMED_OUT',
      `Signal "${config.signal}" did not arrive before ${state.deadline}`,
      {
        category: 'user',
        retryable: false,
      },
    );
  },
  describe: (c) =>
    typeof c.signal === 'string'
      ? `would wait for signal "${c.signal}"`
      : `would wait ${c.duration_ms !== undefined ? `${c.duration_ms} ms` : `until ${c.until}`}`,
};

function firstDeadline(config: z.infer<typeof WaitConfig>, now: Date): string | null {
  if (typeof config.duration_ms === 'number')
    return new Date(now.getTime() + config.duration_ms).toISOString();
  if (typeof config.until === 'string') return new Date(config.until).toISOString();
  return null;
}
