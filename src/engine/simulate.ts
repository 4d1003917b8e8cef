import { CrossdockError, toCrossdockError, type SerializedError } from '../errors/index.ts';
import {
  DEFAULT_EXPRESSION_LIMITS,
  evaluateExpression,
  resolveTemplate,
  type ExpressionLimits,
  type StepContext,
  type StepDefinition,
} from '../workflows/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import { intakeScope, type RoutableEvent } from './router.ts';
import type { StepRegistry } from './step-registry.ts';

export interface SimulatedStep {
  stepId: string;
  type: string;
  /** What happened: executed (pure step), would-call (side effect not made), would-wait. */
  action: 'executed' | 'would-call' | 'would-wait' | 'would-start-subflow' | 'failed';
  description: string;
  output: unknown;
  error?: SerializedError;
  next: string | null;
}

export interface SimulationResult {
  workflowId: string;
  version: string;
  matchesTrigger: boolean;
  steps: SimulatedStep[];
  outcome: 'completed' | 'failed';
}

const MAX_STEPS = 1000;

/**
 * A dry run: walks the workflow against an event without touching the store or the
 * outside world. Pure steps (transform, branch, log...) run for real; a step with side
 * effects is described instead (with its resolved request) and yields its `dry_run.output`.
 */
export async function simulateWorkflow(
  workflow: CompiledWorkflow,
  steps: StepRegistry,
  event: RoutableEvent,
  matchesTrigger: boolean,
  vars: Record<string, unknown> = {},
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<SimulationResult> {
  const memory: Record<string, { output: unknown; error: unknown }> = {};
  const scope = {
    ...intakeScope(event),
    steps: memory,
    run: { id: 'dry-run', workflowId: workflow.id, version: workflow.hash },
    vars,
  };
  const trace: SimulatedStep[] = [];
  let cursor: string | null = workflow.firstStepId;
  while (cursor !== null) {
    if (trace.length >= MAX_STEPS)
      throw new CrossdockError(
        'SIMULATION_LOOP',
        `More than ${MAX_STEPS} steps: the workflow loops`,
        { category: 'user' },
      );
    const step: StepDefinition = workflow.stepsById.get(cursor)!;
    const type = steps.get(step.type)!;
    let entry: SimulatedStep;
    try {
      const raw = type.rawConfig
        ? step.with
        : await resolveTemplate(step.with, scope, { limits, where: workflow.stepWhere(step) });
      const parsed = type.config.safeParse(raw);
      if (!parsed.success) {
        throw new CrossdockError(
          'STEP_CONFIG_INVALID',
          `Step "${step.id}" got an invalid configuration after its expressions were resolved`,
          {
            category: 'user',
            details: parsed.error.issues.map((i) => ({
              path: `with.${i.path.join('.')}`,
              message: i.message,
            })),
          },
        );
      }
      const config = parsed.data;
      const described = type.describe?.(config) ?? `${step.type}`;
      if (type.sideEffect || step.type === 'subflow') {
        const action = step.type === 'subflow' ? 'would-start-subflow' : 'would-call';
        entry = {
          stepId: step.id,
          type: step.type,
          action,
          description: described,
          output: step.dry_run?.output ?? null,
          next: workflow.defaultNext(step),
        };
      } else if (step.type === 'wait') {
        entry = {
          stepId: step.id,
          type: step.type,
          action: 'would-wait',
          description: described,
          output: step.dry_run?.output ?? { simulated: true },
          next: workflow.defaultNext(step),
        };
      } else {
        const outcome = await type.execute(dryContext(step.id, scope), config);
        const output = outcome.kind === 'done' ? outcome.output : null;
        const next =
          outcome.kind === 'done' && outcome.next !== undefined
            ? outcome.next
            : workflow.defaultNext(step);
        entry = {
          stepId: step.id,
          type: step.type,
          action: 'executed',
          description: described,
          output,
          next,
        };
      }
      memory[step.id] = { output: entry.output, error: null };
    } catch (thrown) {
      const error = toCrossdockError(thrown).toJSON();
      memory[step.id] = { output: null, error };
      entry = {
        stepId: step.id,
        type: step.type,
        action: 'failed',
        description: error.message,
        output: null,
        error,
        next: step.on_error ?? null,
      };
      trace.push(entry);
      if (!step.on_error)
        return {
          workflowId: workflow.id,
          version: workflow.hash,
          matchesTrigger,
          steps: trace,
          outcome: 'failed',
        };
      cursor = step.on_error;
      continue;
    }
    trace.push(entry);
    cursor = entry.next;
  }
  return {
    workflowId: workflow.id,
    version: workflow.hash,
    matchesTrigger,
    steps: trace,
    outcome: 'completed',
  };
}

function dryContext(stepId: string, scope: Record<string, unknown>): StepContext {
  const refuse = () => {
    throw new CrossdockError('SIMULATION_UNSUPPORTED', 'A dry run cannot do this', {
      category: 'bug',
    });
  };
  return {
    runId: 'dry-run',
    workflowId: String((scope.run as { workflowId: string }).workflowId),
    stepId,
    idempotencyKey: `dry-run:${stepId}`,
    attempt: 1,
    scope,
    resumeState: undefined,
    now: () => new Date(),
    random: Math.random,
    signal: new AbortController().signal,
    evaluate: (expression) => evaluateExpression(expression, scope),
    takeSignal: async () => undefined,
    emitEvent: async () => refuse(),
    cancelRuns: async () => refuse(),
    signalRuns: async () => refuse(),
    startSubflow: async () => refuse(),
    log: () => undefined,
  };
}
