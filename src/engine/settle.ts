import { toCrossdockError, type SerializedError } from '../errors/index.ts';
import { StoreFaultCode, type CheckpointRecord, type ClaimedRun } from '../store/index.ts';
import { evaluateExpression, type StepDefinition, type StepOutcome } from '../workflows/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import type { DriverDeps, Position } from './driver-deps.ts';
import { DEFAULT_RETRY, retryDelayMs, shouldRetry } from './retry.ts';
import { STORE_RETRY } from './store-retry.ts';
import { recordCompletion, type RunMemory } from './scope.ts';
import { subflowSignalName, type SubflowResult } from './steps/subflow.ts';

/** Turns a step outcome into the checkpoint that records it and moves the run on. */
export async function settleStep(
  deps: DriverDeps,
  run: ClaimedRun,
  workflow: CompiledWorkflow,
  step: StepDefinition | undefined,
  position: Position,
  outcome: StepOutcome | { error: SerializedError },
  scope: Record<string, unknown>,
  memory: RunMemory,
  startedAt: Date,
): Promise<CheckpointRecord> {
  const now = deps.clock.now();
  const attempt = position.stepAttempt + 1;
  const base = {
    runId: run.id,
    seq: position.seq,
    attempt,
    stepId: position.cursor,
    stepType: step?.type ?? 'unknown',
    startedAt,
    endedAt: now,
    openCase: false,
    parentRunId: run.parent_run_id,
    parentSignal: null,
  };
  if ('kind' in outcome && outcome.kind === 'suspend') {
    return {
      ...base,
      stepStatus: 'waiting',
      output: outcome.state,
      error: null,
      run: {
        status: 'waiting',
        cursor: position.cursor,
        seq: position.seq,
        stepAttempt: position.stepAttempt,
        availableAt: outcome.until ?? 'infinity',
      },
    };
  }
  if ('kind' in outcome) {
    recordCompletion(memory, position.cursor, position.seq, outcome.output);
    const next =
      outcome.next !== undefined ? outcome.next : step ? workflow.defaultNext(step) : null;
    if (next !== null) {
      return {
        ...base,
        stepStatus: 'completed',
        output: outcome.output,
        error: null,
        run: {
          status: 'running',
          cursor: next,
          seq: position.seq + 1,
          stepAttempt: 0,
          availableAt: null,
        },
      };
    }
    return completeRun(deps, run, workflow, base, outcome.output, scope, memory);
  }
  const error = outcome.error;
  if (isStoreFaultCode(error.code) || error.code === 'STEP_LOCK_BUSY') {
    // The store failed under the step, or its record was busy with another execution (its
    // key, serializeOn), not the step: it runs again (same attempt number, same idempotency
    // key) once the store is back or the key free, and never uses up its retries or dead-letters.
    return {
      ...base,
      stepStatus: 'failed',
      output: null,
      error,
      run: {
        status: 'ready',
        cursor: position.cursor,
        seq: position.seq,
        stepAttempt: position.stepAttempt,
        availableAt: new Date(now.getTime() + retryDelayMs(STORE_RETRY, 1, error, deps.random)),
      },
    };
  }
  const policy = step?.retry ?? workflow.definition.retry ?? DEFAULT_RETRY;
  if (shouldRetry(policy, attempt, error)) {
    const delay = retryDelayMs(policy, attempt, error, deps.random);
    return {
      ...base,
      stepStatus: 'failed',
      output: null,
      error,
      run: {
        status: 'ready',
        cursor: position.cursor,
        seq: position.seq,
        stepAttempt: attempt,
        availableAt: new Date(now.getTime() + delay),
      },
    };
  }
  if (step?.on_error) {
    memory.steps[position.cursor] = { output: null, error };
    return {
      ...base,
      stepStatus: 'failed',
      output: null,
      error,
      run: {
        status: 'running',
        cursor: step.on_error,
        seq: position.seq + 1,
        stepAttempt: 0,
        availableAt: null,
      },
    };
  }
  // Dead letter: the cursor stays on the failed step so a replay resumes there.
  return {
    ...base,
    stepStatus: 'failed',
    output: null,
    error,
    openCase: true,
    parentSignal: run.parent_run_id
      ? {
          name: subflowSignalName(run.id),
          payload: { status: 'failed', error } satisfies SubflowResult,
        }
      : null,
    run: {
      status: 'failed',
      cursor: position.cursor,
      seq: position.seq,
      stepAttempt: attempt,
      availableAt: null,
      error,
    },
  };
}

async function completeRun(
  deps: DriverDeps,
  run: ClaimedRun,
  workflow: CompiledWorkflow,
  base: Omit<CheckpointRecord, 'stepStatus' | 'output' | 'error' | 'run'>,
  lastOutput: unknown,
  scope: Record<string, unknown>,
  memory: RunMemory,
): Promise<CheckpointRecord> {
  let output = lastOutput;
  if (workflow.definition.output !== undefined) {
    try {
      output = await evaluateExpression(
        workflow.definition.output,
        { ...scope, steps: memory.steps },
        { limits: deps.expressionLimits, where: workflow.where('output') },
      );
    } catch (error) {
      const failure = toCrossdockError(error).toJSON();
      return {
        ...base,
        stepStatus: 'completed',
        output: lastOutput,
        error: null,
        openCase: true,
        run: {
          status: 'failed',
          cursor: null,
          seq: base.seq + 1,
          stepAttempt: 0,
          availableAt: null,
          error: failure,
        },
      };
    }
  }
  return {
    ...base,
    stepStatus: 'completed',
    output: lastOutput,
    error: null,
    parentSignal: run.parent_run_id
      ? {
          name: subflowSignalName(run.id),
          payload: { status: 'completed', output } satisfies SubflowResult,
        }
      : null,
    run: {
      status: 'completed',
      cursor: null,
      seq: base.seq + 1,
      stepAttempt: 0,
      availableAt: null,
      output,
    },
  };
}

const STORE_FAULT_CODES: ReadonlySet<string> = new Set(Object.values(StoreFaultCode));

function isStoreFaultCode(code: string): boolean {
  return STORE_FAULT_CODES.has(code);
}
