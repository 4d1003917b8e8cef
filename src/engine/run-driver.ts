import { CrossdockError, type SerializedError } from '../errors/index.ts';
import type { CheckpointRecord, ClaimedRun } from '../store/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import type { DriverDeps, Position } from './driver-deps.ts';
import type { RunMemory } from './scope.ts';
import { settleStep } from './settle.ts';
import { executeStep } from './step-execution.ts';

export type { DriverDeps } from './driver-deps.ts';

/** What became of a run when the driver let go of it. */
export type DriveResult = 'ended' | 'parked' | 'lease-lost';

/** How many pure steps in a row may wait for a commit: a long chain still shows its progress. */
const MAX_DEFERRED = 16;

/**
 * Drives one leased run from its cursor until it ends, parks (wait, retry backoff) or
 * loses its lease. Invariant: a step's checkpoint is committed before the next step
 * starts, but for a pure step (StepType.pure), whose checkpoint goes into the same commit as
 * the next step's; a step with a completed checkpoint is never executed again.
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
    /** Completed pure steps whose checkpoints go with the next step's. */
    const deferred: CheckpointRecord[] = [];
    while (position !== null) {
      if (abort.aborted) return 'lease-lost';
      const step = workflow.stepsById.get(position.cursor);
      const scope = this.#scope(run, workflow, memory, event);
      const startedAt = this.deps.clock.now();
      const outcome = step
        ? await executeStep(
            this.deps,
            run,
            workflow,
            step,
            position,
            scope,
            resumeState,
            abort,
            memory,
          )
        : {
            error: new CrossdockError(
              'STEP_MISSING',
              `Workflow ${workflow.id} has no step "${position.cursor}"`,
              { category: 'bug' },
            ).toJSON(),
          };
      const record = await settleStep(
        this.deps,
        run,
        workflow,
        step,
        position,
        outcome,
        scope,
        memory,
        startedAt,
      );
      const waits =
        step !== undefined &&
        this.deps.steps.get(step.type)?.pure === true &&
        record.run.status === 'running' &&
        record.stepStatus === 'completed' &&
        deferred.length < MAX_DEFERRED;
      if (waits) deferred.push(record);
      else {
        const records = [...deferred.splice(0), record];
        if (!(await this.deps.checkpointer.write(records))) {
          this.deps.events.emit('lease:lost', { runId: run.id, workerId: 'self' });
          return 'lease-lost';
        }
        for (const written of records) this.#announce(run, workflow, written);
      }
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

  #announce(run: ClaimedRun, workflow: CompiledWorkflow, record: CheckpointRecord): void {
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
    if (record.stepStatus === 'failed') {
      events.emit('step:failed', {
        ...ids,
        stepId: record.stepId,
        seq: record.seq,
        attempt: record.attempt,
        error: record.error as SerializedError,
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
