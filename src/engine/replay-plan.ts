import { CrossdockError } from '../errors/index.ts';
import type { ReplayMarker, StepRow } from '../store/index.ts';
import type { StepDefinition } from '../workflows/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import { applyReplay, idempotencyKey, memoryFromCheckpoints } from './scope.ts';
import type { StepRegistry } from './step-registry.ts';

/** What a side-effect step will do when a replay re-runs it, said before the replay happens. */
export interface ReplayEffect {
  stepId: string;
  type: string;
  /** The key it will act with (its first execution in the replay). */
  key: string;
  /**
   * repeat: it acted with this key before: the external system sees a repeat and ignores it.
   * again: a new key, and it acted before: it acts again (asked with `again`, or a step that asks again, an approval).
   * first: it has not acted in this run before: it acts.
   * own: its repeat is recognised by something of its own (an external reference, a state), whatever the key.
   */
  outcome: 'repeat' | 'again' | 'first' | 'own';
  /** The key of its latest earlier execution, if any. */
  previousKey: string | null;
  message: string;
}

export interface ReplayPreview {
  runId: string;
  workflowId: string;
  fromStep: string;
  again: string[];
  /** Side-effect steps the replay can reach from `fromStep`, in file order. */
  effects: ReplayEffect[];
}

const MESSAGES: Record<ReplayEffect['outcome'], string> = {
  repeat: 'same key: the external system will see a repeat and ignore it',
  again: 'new key: acts again',
  first: 'new key: acts (it has not acted in this run before)',
  own: 'its own check decides whether it acts again',
};

/** Steps reachable from `from` along next, on_error and the steps' own targets (branches). */
export function reachableSteps(
  workflow: CompiledWorkflow,
  steps: StepRegistry,
  from: string,
): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const step = workflow.stepsById.get(id);
    if (!step || seen.has(id)) continue;
    seen.add(id);
    queue.push(...successors(workflow, steps, step));
  }
  return seen;
}

function successors(
  workflow: CompiledWorkflow,
  steps: StepRegistry,
  step: StepDefinition,
): string[] {
  const out: string[] = [];
  const next = workflow.defaultNext(step);
  if (next !== null) out.push(next);
  if (step.on_error) out.push(step.on_error);
  const type = steps.get(step.type);
  const config = type?.config.safeParse(step.with);
  if (type?.targets && config?.success) out.push(...type.targets(config.data));
  return out;
}

/**
 * Checks `again` (each a side-effect step the replay reaches) and says, for every side-effect
 * step the replay can reach, which key it will use and whether that makes it act again.
 */
export function planReplay(
  run: { id: string; seq: number; cursor: string | null },
  workflow: CompiledWorkflow,
  steps: StepRegistry,
  rows: StepRow[],
  replays: ReplayMarker[],
  marker: Omit<ReplayMarker, 'seq'>,
): ReplayPreview {
  if (!workflow.stepsById.has(marker.fromStep)) {
    throw new CrossdockError(
      'REPLAY_INVALID',
      `Workflow ${workflow.id} has no step "${marker.fromStep}" to replay from`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: 'fromStep', message: `not a step of ${workflow.id}` }],
      },
    );
  }
  const reachable = reachableSteps(workflow, steps, marker.fromStep);
  const isEffect = (id: string) =>
    steps.get(workflow.stepsById.get(id)?.type ?? '')?.sideEffect === true;
  const problems = marker.again.flatMap((id, i) => {
    const own = steps.get(workflow.stepsById.get(id)?.type ?? '')?.ownIdempotency;
    const why = !workflow.stepsById.has(id)
      ? `no step "${id}" in ${workflow.id}`
      : !isEffect(id)
        ? `"${id}" has no side effect to make again`
        : !reachable.has(id)
          ? `"${id}" does not run again when replaying from "${marker.fromStep}"`
          : own !== undefined
            ? `"${id}" recognises a repeat by itself (${own}): a new key would not make it act again`
            : null;
    return why === null ? [] : [{ path: `again[${i}]`, message: why }];
  });
  if (problems.length > 0)
    throw new CrossdockError(
      'REPLAY_INVALID',
      `Cannot make ${marker.again.join(', ')} act again: ${problems.map((p) => p.message).join('; ')}`,
      { category: 'user', retryable: false, details: problems },
    );

  // The key each earlier execution used (and each step's latest), and the memory as the replay will find it.
  const decides = (stepId: string) =>
    steps.get(workflow.stepsById.get(stepId)?.type ?? '')?.decidesAgainOnReplay === true;
  const latestKey = new Map<string, string>();
  const usedKeys = new Set<string>();
  const memory = memoryFromCheckpoints(rows, run.seq, replays, (row, before) => {
    const key = idempotencyKey(run.id, row.step_id, before, decides(row.step_id));
    latestKey.set(row.step_id, key);
    usedKeys.add(key);
  });
  applyReplay(memory, { ...marker, seq: run.seq + 1 });
  const effects = workflow.definition.steps
    .filter((step) => reachable.has(step.id) && isEffect(step.id))
    .map((step): ReplayEffect => {
      const key = idempotencyKey(run.id, step.id, memory, decides(step.id));
      const previousKey = latestKey.get(step.id) ?? null;
      const own = steps.get(step.type)?.ownIdempotency;
      if (own !== undefined)
        return {
          stepId: step.id,
          type: step.type,
          key,
          outcome: 'own',
          previousKey,
          message: `${MESSAGES.own} (${own})`,
        };
      const outcome = usedKeys.has(key) ? 'repeat' : previousKey === null ? 'first' : 'again';
      return {
        stepId: step.id,
        type: step.type,
        key,
        outcome,
        previousKey,
        message: MESSAGES[outcome],
      };
    });
  return {
    runId: run.id,
    workflowId: workflow.id,
    fromStep: marker.fromStep,
    again: marker.again,
    effects,
  };
}
