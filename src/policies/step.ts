import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { dynamic, isExpressionString, type StepType } from '../workflows/index.ts';
import type { PolicyRegistry } from './registry.ts';

export const DecideConfig = z.strictObject({
  /** The policy id (its file name); an expression is looked up when the step runs. */
  policy: dynamic(z.string().min(1)),
  /** What the policy sees; values may be `=` expressions, or the whole input one expression. */
  input: dynamic(z.record(z.string(), z.unknown())).default({}),
});
export type DecideConfig = z.infer<typeof DecideConfig>;

/**
 * The `decide` step: evaluates a decision table (a JDM policy) on its input. It changes
 * nothing outside, so a dry run evaluates it for real. Its output, checkpointed with the
 * step, is the audit record: the decision, the policy version that made it, and the rows
 * that matched. Without a registry (validate/schema without a folder) the step is known by
 * its schema only.
 */
export function decideStep(registry: PolicyRegistry | null): StepType<DecideConfig> {
  return {
    type: 'decide',
    description:
      'Decides with a policy (a decision table): its output object, the policy version and the rules that matched',
    config: DecideConfig as never,
    sideEffect: false,
    pure: true,
    check(config) {
      if (
        !registry ||
        !registry.checkable() ||
        typeof config.policy !== 'string' ||
        isExpressionString(config.policy) ||
        registry.has(config.policy)
      )
        return [];
      const where = registry.dirs().length > 0 ? ` (from ${registry.dirs().join(', ')})` : '';
      return [
        {
          path: ['policy'],
          message: `no policy "${config.policy}"; known policies: ${registry.ids().join(', ') || 'none'}${where}`,
        },
      ];
    },
    async execute(_ctx, config) {
      if (!registry)
        throw new CrossdockError(
          'POLICIES_UNAVAILABLE',
          'decide steps run only in a Crossdock with its policies loaded',
          { category: 'bug', retryable: false },
        );
      const input = config.input as Record<string, unknown>;
      const outcome = await registry.decide(String(config.policy), input);
      if (outcome.kind === 'no-match') {
        throw new CrossdockError(
          'POLICY_NO_MATCH',
          `No rule of policy ${outcome.policy.id}@${outcome.policy.version} matches the input (keys: ${outcome.inputKeys.join(', ') || 'none'}); add a row for it, or a default row (every input cell empty) at the end`,
          {
            category: 'user',
            retryable: false,
            details: [
              {
                path: 'with.input',
                message: `keys given: ${outcome.inputKeys.join(', ') || 'none'}`,
              },
            ],
          },
        );
      }
      return {
        kind: 'done',
        output: { decision: outcome.decision, policy: outcome.policy, matched: outcome.matched },
      };
    },
    describe: (config) => `decides with policy ${String(config.policy)}`,
  };
}
