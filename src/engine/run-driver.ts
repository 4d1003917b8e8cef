import { CrossdockError, toCrossdockError, type SerializedError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import {
  insertChildRun,
  StoreFaultCode,
  takeSignal,
  type CheckpointRecord,
  type ClaimedRun,
  type Store,
} from '../store/index.ts';
import {
  evaluateExpression,
  resolveTemplate,
  type ExpressionLimits,
  type StepContext,
  type StepDefinition,
  type StepOutcome,
} from '../workflows/index.ts';
import type { CompiledWorkflow, WorkflowCatalog } from './catalog.ts';
import type { Checkpointer } from './checkpointer.ts';
import type { Clock, Random } from './clock.ts';
import type { EngineEvents } from './events.ts';
import { DEFAULT_RETRY, retryDelayMs, shouldRetry } from './retry.ts';
import { STORE_RETRY } from './store-retry.ts';
import { concurrencyOf } from './router.ts';
import { idempotencyKey, recordCompletion, type RunMemory } from './scope.ts';
import type { StepRegistry } from './step-registry.ts';
import { RunsService } from './runs-service.ts';
import { subflowSignalName, type SubflowResult } from './steps/subflow.ts';

export interface DriverDeps {
  store: Store;
  catalog: WorkflowCatalog;
  steps: StepRegistry;
  clock: Clock;
  random: Random;
  events: EngineEvents;
  logger: Logger;
  checkpointer: Checkpointer;
  /** Values every expression can read as `vars` (e.g. the API's own URL). */
  vars: Record<string, unknown>;
  /** Bounds on every expression a step evaluates; a breach fails the step, not retryable. */
  expressionLimits: ExpressionLimits;
  /** The engine's intake, for steps that emit events. */
  accept: StepContext['emitEvent'];
}

/** What became of a run when the driver let go of it. */
export type DriveResult = 'ended' | 'parked' | 'lease-lost';

interface Position {
  cursor: string;
  seq: number;
  stepAttempt: number;
}

/**
 * Drives one leased run from its cursor until it ends, parks (wait, retry backoff) or
 * loses its lease. Invariant: a step's checkpoint is committed before the next step
 * starts, and a step with a completed checkpoint is never executed again.
 */
export class RunDriver {
  constructor(private readonly deps: DriverDeps) {}

  async drive(
    run: ClaimedRun,
    memory: RunMemory,
    event: unknown,
    abort: AbortSignal,
  ): Promise<DriveResult> {
    const workflow = await this.deps.catalog.get(run.workflow_id, run.workflow_hash);
    if (run.seq === 0 && run.step_attempt === 0 && memory.resumeState === undefined) {
      this.deps.events.emit('run:started', { runId: run.id, workflowId: workflow.id });
    }
    let position: Position | null =
      run.cursor === null
        ? null
        : { cursor: run.cursor, seq: run.seq, stepAttempt: run.step_attempt };
    let resumeState = memory.resumeState;
    while (position !== null) {
      if (abort.aborted) return 'lease-lost';
      const step = workflow.stepsById.get(position.cursor);
      const scope = this.#scope(run, workflow, memory, event);
      const startedAt = this.deps.clock.now();
      const outcome = step
        ? await this.#execute(run, workflow, step, position, scope, resumeState, abort, memory)
        : {
            error: new CrossdockError(
              'STEP_MISSING',
              `Workflow ${workflow.id} has no step "${position.cursor}"`,
              { category: 'bug' },
            ).toJSON(),
          };
      const record = await this.#settle(
        run,
        workflow,
        step,
        position,
        outcome,
        scope,
        memory,
        startedAt,
      );
      if (!(await this.deps.checkpointer.write(record))) {
        this.deps.events.emit('lease:lost', { runId: run.id, workerId: 'self' });
        return 'lease-lost';
      }
      this.#announce(run, workflow, record, outcome);
      if (record.run.status !== 'running')
        return record.run.status === 'completed' || record.run.status === 'failed'
          ? 'ended'
          : 'parked';
      position = {
        cursor: record.run.cursor!,
        seq: record.run.seq,
        stepAttempt: record.run.stepAttempt,
      };
      resumeState = undefined;
    }
    return 'ended';
  }

  #scope(
    run: ClaimedRun,
    workflow: CompiledWorkflow,
    memory: RunMemory,
    event: unknown,
  ): Record<string, unknown> {
    return {
      event,
      input: run.input,
      steps: memory.steps,
      run: { id: run.id, workflowId: workflow.id, version: workflow.hash },
      vars: this.deps.vars,
    };
  }

  async #execute(
    run: ClaimedRun,
    workflow: CompiledWorkflow,
    step: StepDefinition,
    position: Position,
    scope: Record<string, unknown>,
    resumeState: unknown,
    abort: AbortSignal,
    memory: RunMemory,
  ): Promise<StepOutcome | { error: SerializedError }> {
    const type = this.deps.steps.get(step.type);
    try {
      if (!type)
        throw new CrossdockError(
          'STEP_TYPE_UNKNOWN',
          `No step type "${step.type}" in this Crossdock`,
          { category: 'bug' },
        );
      const raw = type.rawConfig
        ? step.with
        : await resolveTemplate(step.with, scope, {
            limits: this.deps.expressionLimits,
            where: workflow.stepWhere(step),
          });
      const config = type.config.safeParse(raw);
      if (!config.success) {
        throw new CrossdockError(
          'STEP_CONFIG_INVALID',
          `Step "${step.id}" got an invalid configuration after its expressions were resolved`,
          {
            category: 'user',
            retryable: false,
            details: config.error.issues.map((i) => ({
              path: `with.${i.path.join('.')}`,
              message: i.message,
            })),
          },
        );
      }
      const ctx = this.#context(
        run,
        workflow,
        step,
        position,
        scope,
        resumeState,
        abort,
        idempotencyKey(run.id, step.id, memory, type.decidesAgainOnReplay === true),
      );
      return await withTimeout(type.execute(ctx, config.data), step.timeout_ms, step.id);
    } catch (error) {
      return { error: toCrossdockError(error).toJSON() };
    }
  }

  #context(
    run: ClaimedRun,
    workflow: CompiledWorkflow,
    step: StepDefinition,
    position: Position,
    scope: Record<string, unknown>,
    resumeState: unknown,
    abort: AbortSignal,
    key: string,
  ): StepContext {
    const { store, clock, catalog, logger, expressionLimits: limits } = this.deps;
    return {
      runId: run.id,
      workflowId: workflow.id,
      stepId: step.id,
      idempotencyKey: key,
      attempt: position.stepAttempt + 1,
      scope,
      resumeState,
      now: () => clock.now(),
      random: this.deps.random,
      signal: abort,
      evaluate: (expression) =>
        evaluateExpression(expression, scope, {
          limits: this.deps.expressionLimits,
          where: workflow.stepWhere(step),
        }),
      takeSignal: (name) => takeSignal(store.db, run.id, name, position.seq),
      emitEvent: (event) => this.deps.accept(event),
      cancelRuns: (workflowId, concurrencyKey, reason) =>
        new RunsService(store, clock, this.deps.events, catalog, this.deps.steps).cancelActive(
          workflowId,
          concurrencyKey,
          reason,
          run.id,
        ),
      signalRuns: (workflowId, concurrencyKey, name, payload) =>
        new RunsService(store, clock, this.deps.events, catalog, this.deps.steps).signalActive(
          workflowId,
          concurrencyKey,
          name,
          payload,
          run.id,
        ),
      async startSubflow(workflowId, input) {
        const child = catalog.currentVersion(workflowId);
        if (!child)
          throw new CrossdockError(
            'WORKFLOW_UNKNOWN',
            `No workflow "${workflowId}" to start as a subflow`,
            { category: 'user', retryable: false },
          );
        const concurrency = await concurrencyOf(child, { input, event: scope.event }, limits);
        const id = await insertChildRun(
          store.db,
          {
            parentRunId: run.id,
            parentSeq: position.seq,
            workflowId: child.id,
            workflowHash: child.hash,
            firstStepId: child.firstStepId,
            input,
            ...concurrency,
          },
          clock.now(),
        );
        await store.wake(
          concurrency.concurrencyKey !== null || concurrency.concurrencyLimit !== null
            ? 'admit'
            : 'work',
        );
        return id;
      },
      log: (level, message, data) =>
        logger[level]({ runId: run.id, workflowId: workflow.id, stepId: step.id, data }, message),
    };
  }

  /** Turns a step outcome into the checkpoint that records it and moves the run on. */
  async #settle(
    run: ClaimedRun,
    workflow: CompiledWorkflow,
    step: StepDefinition | undefined,
    position: Position,
    outcome: StepOutcome | { error: SerializedError },
    scope: Record<string, unknown>,
    memory: RunMemory,
    startedAt: Date,
  ): Promise<CheckpointRecord> {
    const now = this.deps.clock.now();
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
      return this.#complete(run, workflow, base, outcome.output, scope, memory);
    }
    const error = outcome.error;
    if (isStoreFaultCode(error.code)) {
      // The store failed under the step, not the step: it runs again (same attempt number, same
      // idempotency key) once the store is back, and never uses up its retries or dead-letters.
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
          availableAt: new Date(
            now.getTime() + retryDelayMs(STORE_RETRY, 1, error, this.deps.random),
          ),
        },
      };
    }
    const policy = step?.retry ?? workflow.definition.retry ?? DEFAULT_RETRY;
    if (shouldRetry(policy, attempt, error)) {
      const delay = retryDelayMs(policy, attempt, error, this.deps.random);
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

  async #complete(
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
          { limits: this.deps.expressionLimits, where: workflow.where('output') },
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

  #announce(
    run: ClaimedRun,
    workflow: CompiledWorkflow,
    record: CheckpointRecord,
    outcome: StepOutcome | { error: SerializedError },
  ): void {
    const events = this.deps.events;
    const ids = { runId: run.id, workflowId: workflow.id };
    const durationMs = record.endedAt.getTime() - record.startedAt.getTime();
    if (record.stepStatus === 'completed')
      events.emit('step:completed', {
        ...ids,
        stepId: record.stepId,
        seq: record.seq,
        attempt: record.attempt,
        durationMs,
      });
    if (record.stepStatus === 'failed' && 'error' in outcome) {
      events.emit('step:failed', {
        ...ids,
        stepId: record.stepId,
        seq: record.seq,
        attempt: record.attempt,
        error: outcome.error,
        willRetry: record.run.status === 'ready',
      });
    }
    if (record.run.status === 'waiting') {
      events.emit('run:waiting', {
        ...ids,
        stepId: record.stepId,
        until: record.run.availableAt instanceof Date ? record.run.availableAt : null,
      });
    }
    if (record.run.status === 'completed')
      events.emit('run:completed', { ...ids, output: record.run.output });
    if (record.run.status === 'failed')
      events.emit('run:failed', {
        ...ids,
        stepId: record.stepId,
        error: record.run.error as SerializedError,
      });
  }
}

const STORE_FAULT_CODES: ReadonlySet<string> = new Set(Object.values(StoreFaultCode));

function isStoreFaultCode(code: string): boolean {
  return STORE_FAULT_CODES.has(code);
}

async function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number | undefined,
  stepId: string,
): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CrossdockError(
            'STEP_TIMEOUT',
            `Step "${stepId}" did not finish within ${timeoutMs} ms`,
            { category: 'transient' },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
