import { z } from 'zod';
import { dynamic, type StepType } from '../../workflows/index.ts';

const EmitConfig = z.strictObject({
  source: dynamic(z.string().min(1)),
  type: dynamic(z.string().min(1)),
  /** Required: the dedupe key makes a repeated emit (retry, crash, replay) start nothing new. */
  key: dynamic(z.string().min(1).max(256)),
  payload: z.record(z.string(), z.unknown()),
});

/**
 * Sends a new event into Crossdock's own intake, as if it had arrived from outside: it is
 * validated, deduplicated by (source, key) and starts the workflows it triggers.
 */
export const emitStep: StepType<z.infer<typeof EmitConfig>> = {
  type: 'event.emit',
  description: 'Accepts a new event (deduplicated by its key) that can start other workflows',
  config: EmitConfig as z.ZodType<z.infer<typeof EmitConfig>>,
  sideEffect: true,
  ownIdempotency: 'deduplicated by its event key',
  async execute(ctx, config) {
    const accepted = await ctx.emitEvent({
      source: config.source,
      type: config.type,
      key: config.key,
      payload: config.payload,
    });
    return { kind: 'done', output: accepted };
  },
  describe: (c) => `would emit event ${c.type} from ${c.source} (key ${c.key})`,
};
