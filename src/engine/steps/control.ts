import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import { dynamic, expression, type StepType } from '../../workflows/index.ts';

/** Output is the `with:` block with its expressions resolved. */
export const transformStep: StepType<Record<string, unknown>> = {
  type: 'transform',
  description: 'Builds a value from the scope with JSONata mappings',
  config: z.record(z.string(), z.unknown()),
  sideEffect: false,
  pure: true,
  async execute(_ctx, config) {
    return { kind: 'done', output: config };
  },
};

const BranchConfig = z.strictObject({ if: expression(), then: z.string(), else: z.string() });
export const branchStep: StepType<z.infer<typeof BranchConfig>> = {
  type: 'branch',
  description: 'Goes to `then` when the condition is truthy, else to `else`',
  config: BranchConfig,
  sideEffect: false,
  pure: true,
  rawConfig: true,
  targets: (c) => [c.then, c.else],
  async execute(ctx, config) {
    const value = Boolean(await ctx.evaluate(config.if));
    return { kind: 'done', output: { value }, next: value ? config.then : config.else };
  },
};

const SwitchConfig = z.strictObject({
  cases: z.array(z.strictObject({ when: expression(), next: z.string() })).min(1),
  default: z.string().optional(),
});
export const switchStep: StepType<z.infer<typeof SwitchConfig>> = {
  type: 'switch',
  description: 'Goes to the first case whose `when` is truthy, else to `default`',
  config: SwitchConfig,
  sideEffect: false,
  pure: true,
  rawConfig: true,
  targets: (c) => [...c.cases.map((k) => k.next), ...(c.default ? [c.default] : [])],
  async execute(ctx, config) {
    for (const [index, option] of config.cases.entries()) {
      if (await ctx.evaluate(option.when))
        return { kind: 'done', output: { case: index }, next: option.next };
    }
    if (config.default) return { kind: 'done', output: { case: 'default' }, next: config.default };
    throw new CrossdockError(
      'SWITCH_NO_MATCH',
      `No case of step "${ctx.stepId}" matched and it has no default`,
      {
        category: 'user',
        retryable: false,
      },
    );
  },
};

const FailConfig = z.strictObject({
  code: dynamic(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).default('WORKFLOW_FAILED'),
  message: dynamic(z.string()),
  retryable: z.boolean().default(false),
});
export const failStep: StepType<z.infer<typeof FailConfig>> = {
  type: 'fail',
  description: 'Fails the step with a code and message (goes to on_error, or fails the run)',
  config: FailConfig,
  sideEffect: false,
  async execute(_ctx, config) {
    // The author's code, not one of ours: it is documented in the workflow, not in the registry.
    if (config.code === 'WORKFLOW_FAILED')
      throw new CrossdockError('WORKFLOW_FAILED', config.message, { retryable: config.retryable });
    throw CrossdockError.foreign(config.code, config.message, {
      category: 'user',
      retryable: config.retryable,
    });
  },
};

const LogConfig = z.strictObject({
  message: dynamic(z.string()),
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  data: z.unknown().optional(),
});
export const logStep: StepType<z.infer<typeof LogConfig>> = {
  type: 'log',
  description: 'Writes a line to the log; its output is the message and data',
  config: LogConfig,
  sideEffect: false,
  pure: true,
  async execute(ctx, config) {
    ctx.log(config.level, config.message, config.data);
    return { kind: 'done', output: { message: config.message, data: config.data ?? null } };
  },
};
