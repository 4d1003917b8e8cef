import { CrossdockError, toCrossdockError, type SerializedError } from '../errors/index.ts';
import { insertChildRun, takeSignal, type ClaimedRun } from '../store/index.ts';
import {
  evaluateExpression,
  resolveTemplate,
  type StepContext,
  type StepDefinition,
  type StepOutcome,
} from '../workflows/index.ts';
import type { CompiledWorkflow } from './catalog.ts';
import type { DriverDeps, Position } from './driver-deps.ts';
import { concurrencyOf } from './router.ts';
import { idempotencyKey, type RunMemory } from './scope.ts';
import { RunsService } from './runs-service.ts';

/**
 * Runs one step: resolves its configuration, builds the context it sees (signals, events,
 * subflows, other runs) and bounds it by its timeout. Never throws: a failure comes back as
 * `{ error }` for the driver to settle.
 */
export async function executeStep(
  deps: DriverDeps,
  run: ClaimedRun,
  workflow: CompiledWorkflow,
  step: StepDefinition,
  position: Position,
  scope: Record<string, unknown>,
  resumeState: unknown,
  abort: AbortSignal,
  memory: RunMemory,
): Promise<StepOutcome | { error: SerializedError }> {
  const type = deps.steps.get(step.type);
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
          limits: deps.expressionLimits,
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
    const ctx = stepContext(
      deps,
      run,
      workflow,
      step,
      position,
      scope,
      resumeState,
      abort,
      idempotencyKey(run.id, step.id, memory, type.decidesAgainOnReplay === true),
    );
    const execute = () => type.execute(ctx, config.data);
    // A declared key is held until execute settles, also past a timeout, so the next holder
    // never overlaps a late call of this one. Waiting for it ends with the step's timeout: a
    // key obtained after the step was settled must not start an execution nobody awaits.
    const key = type.serializeOn?.(config.data, ctx) ?? null;
    const timedOut = new AbortController();
    const waitSignal =
      step.timeout_ms === undefined ? abort : AbortSignal.any([abort, timedOut.signal]);
    const work =
      key === null
        ? execute()
        : deps.store.stepLocks.hold(
            key,
            { waitMs: deps.stepLockWaitMs, signal: waitSignal },
            execute,
          );
    return await withTimeout(work, step.timeout_ms, step.id, () => timedOut.abort());
  } catch (error) {
    return { error: toCrossdockError(error).toJSON() };
  }
}

function stepContext(
  deps: DriverDeps,
  run: ClaimedRun,
  workflow: CompiledWorkflow,
  step: StepDefinition,
  position: Position,
  scope: Record<string, unknown>,
  resumeState: unknown,
  abort: AbortSignal,
  key: string,
): StepContext {
  const { store, clock, catalog, logger, expressionLimits: limits } = deps;
  return {
    runId: run.id,
    workflowId: workflow.id,
    stepId: step.id,
    idempotencyKey: key,
    attempt: position.stepAttempt + 1,
    scope,
    resumeState,
    now: () => clock.now(),
    random: deps.random,
    signal: abort,
    evaluate: (expression) =>
      evaluateExpression(expression, scope, {
        limits: deps.expressionLimits,
        where: workflow.stepWhere(step),
      }),
    takeSignal: (name) => takeSignal(store.db, run.id, name, position.seq),
    emitEvent: (event) => deps.accept(event),
    cancelRuns: (workflowId, concurrencyKey, reason) =>
      new RunsService(store, clock, deps.events, catalog, deps.steps).cancelActive(
        workflowId,
        concurrencyKey,
        reason,
        run.id,
      ),
    signalRuns: (workflowId, concurrencyKey, name, payload) =>
      new RunsService(store, clock, deps.events, catalog, deps.steps).signalActive(
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
      if (concurrency.concurrencyKey !== null || concurrency.concurrencyLimit !== null)
        await store.wake('admit');
      else await store.wake('work', 1);
      return id;
    },
    log: (level, message, data) =>
      logger[level]({ runId: run.id, workflowId: workflow.id, stepId: step.id, data }, message),
  };
}

/** Rejects with STEP_TIMEOUT after `timeoutMs`, then calls `onTimeout` (the step's outcome is the timeout). */
async function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number | undefined,
  stepId: string,
  onTimeout: () => void,
): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new CrossdockError(
          'STEP_TIMEOUT',
          `Step "${stepId}" did not finish within ${timeoutMs} ms`,
          {
            category: 'transient',
          },
        ),
      );
      onTimeout();
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
