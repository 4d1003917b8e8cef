import type { Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import {
  activeRunIds,
  cancelRun,
  closeDeadLetterAsReplayed,
  insertReplayMarker,
  loadReplayable,
  loadReplayMarkers,
  loadStepRows,
  REPLAY_SIGNAL,
  restartRun,
  runStatus,
  runVersion,
  sendSignal,
  type Database,
  type ReplayableRow,
  type Store,
} from '../store/index.ts';
import type { WorkflowCatalog } from './catalog.ts';
import { planReplay, type ReplayPreview } from './replay-plan.ts';
import type { StepRegistry } from './step-registry.ts';
import type { Clock } from './clock.ts';
import type { EngineEvents } from './events.ts';
import { subflowSignalName } from './steps/subflow.ts';
import {
  assertId,
  listRunSummaries,
  notFound,
  showRunDetail,
  type RunDetail,
  type RunFilter,
  type RunSummary,
} from './run-reads.ts';

export { toRunSummary, type RunDetail, type RunFilter, type RunSummary } from './run-reads.ts';

export interface ReplayOptions {
  input?: unknown;
  fromStep?: string;
  /**
   * Side-effect steps the operator asks to act again: they get a new idempotency key. Every
   * other step the replay re-runs keeps the key it acted with, so its receiver sees a repeat.
   */
  again?: string[];
  /**
   * Runs inside the replay's transaction before anything else (the exception queue moves
   * its case to 'retrying' and writes its history and audit entry there): both commit or neither.
   */
  inTransaction?: (tx: Kysely<Database>) => Promise<void>;
}

/** Reads and commands on runs; the API and the CLI both go through here. */
export class RunsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EngineEvents,
    private readonly catalog: WorkflowCatalog,
    private readonly steps: StepRegistry,
  ) {}

  list(filter: RunFilter = {}): Promise<RunSummary[]> {
    return listRunSummaries(this.store.db, filter);
  }

  show(runId: string): Promise<RunDetail> {
    return showRunDetail(this.store.db, runId);
  }

  /**
   * Runs a failed (or cancelled) run again from the step it stopped at, or from `fromStep`.
   * Steps before it keep their checkpoints and are not executed again. `input` replaces
   * the run's input (a corrected payload); the dead-letter case is closed as replayed.
   */
  async replay(runId: string, options: ReplayOptions = {}): Promise<RunDetail> {
    const now = this.clock.now();
    // The run's workflow version, loaded before the transaction (a run never changes version):
    // on PGlite a read outside the open transaction would wait for it.
    const pinned = await runVersion(this.store.db, assertId(runId));
    if (!pinned) throw notFound(runId);
    await this.catalog.get(pinned.workflow_id, pinned.workflow_hash);
    const replayed = await this.store.db.transaction().execute(async (tx) => {
      await options.inTransaction?.(tx); // first: a caller's refusal rolls the replay back
      const row = replayable(runId, await loadReplayable(tx, runId, true));
      const cursor = options.fromStep ?? row.cursor;
      if (cursor === null)
        throw new CrossdockError(
          'RUN_NOT_REPLAYABLE',
          `Run ${runId} has no step to resume from; name one with fromStep`,
          { category: 'user', retryable: false },
        );
      // Checks `again` against the workflow; the marker keeps the keys of every other step.
      await this.#plan(tx, runId, row, cursor, options.again ?? []);
      await insertReplayMarker(
        tx,
        runId,
        { seq: row.seq + 1, fromStep: cursor, stoppedAt: row.cursor, again: options.again ?? [] },
        now,
      );
      const queued = row.concurrency_key !== null || row.concurrency_limit !== null;
      // The replay continues at a new position: the failed attempt stays in the history.
      await restartRun(tx, runId, {
        cursor,
        queued,
        now,
        ...(options.input === undefined ? {} : { input: options.input }),
      });
      await closeDeadLetterAsReplayed(tx, runId, now);
      return { workflowId: row.workflow_id, cursor, queued };
    });
    await (replayed.queued ? this.store.wake('admit') : this.store.wake('work', 1));
    this.events.emit('run:replayed', {
      runId,
      workflowId: replayed.workflowId,
      fromStep: replayed.cursor,
    });
    return this.show(runId);
  }

  /**
   * Cancels every active run (queued, ready, running, waiting) of a workflow under one
   * concurrency key, but `exceptRunId`: what a cancel event does to work in flight for its
   * business object. Runs that end meanwhile are left as they ended. Returns the cancelled ids.
   */
  async cancelActive(
    workflowId: string,
    concurrencyKey: string,
    reason: string,
    exceptRunId: string | null = null,
  ): Promise<string[]> {
    const cancelled: string[] = [];
    for (const id of await activeRunIds(this.store.db, workflowId, concurrencyKey, exceptRunId)) {
      try {
        await this.cancel(id, reason);
        cancelled.push(id);
      } catch (error) {
        if (!(error instanceof CrossdockError && error.code === 'RUN_ALREADY_ENDED')) throw error;
      }
    }
    return cancelled;
  }

  /**
   * Sends a signal to the active runs of a workflow for one business object (its concurrency
   * key); a run not waiting for it yet finds it buffered. Returns the ids signalled.
   */
  async signalActive(
    workflowId: string,
    concurrencyKey: string,
    name: string,
    payload: unknown,
    exceptRunId: string | null = null,
  ): Promise<string[]> {
    const ids = await activeRunIds(this.store.db, workflowId, concurrencyKey, exceptRunId);
    for (const id of ids) await this.signal(id, name, payload);
    return ids;
  }

  /**
   * What a replay would do, without doing it: each side-effect step it can reach, the key
   * it will act with, and whether its receiver sees a repeat or it acts again.
   */
  async previewReplay(
    runId: string,
    options: { fromStep?: string; again?: string[] } = {},
  ): Promise<ReplayPreview> {
    const row = replayable(runId, await loadReplayable(this.store.db, assertId(runId), false));
    const cursor = options.fromStep ?? row.cursor;
    if (cursor === null)
      throw new CrossdockError(
        'RUN_NOT_REPLAYABLE',
        `Run ${runId} has no step to resume from; name one with fromStep`,
        { category: 'user', retryable: false },
      );
    return this.#plan(this.store.db, runId, row, cursor, options.again ?? []);
  }

  async #plan(
    db: Kysely<Database>,
    runId: string,
    row: ReplayableRow,
    fromStep: string,
    again: string[],
  ): Promise<ReplayPreview> {
    const workflow = await this.catalog.get(row.workflow_id, row.workflow_hash);
    const [rows, replays] = await Promise.all([
      loadStepRows(db, [runId]),
      loadReplayMarkers(db, [runId]),
    ]);
    return planReplay(
      { id: runId, seq: row.seq, cursor: row.cursor },
      workflow,
      this.steps,
      rows.get(runId) ?? [],
      replays.get(runId) ?? [],
      { fromStep, stoppedAt: row.cursor, again },
    );
  }

  /** Cancels a run that has not ended. A running step is abandoned at its next checkpoint. */
  async cancel(runId: string, reason = 'cancelled'): Promise<void> {
    const now = this.clock.now();
    const ended = await this.store.db.transaction().execute(async (tx) => {
      const row = await cancelRun(
        tx,
        assertId(runId),
        { code: 'RUN_CANCELLED', message: reason, category: 'user', retryable: false },
        now,
      );
      if (!row) {
        const status = await runStatus(tx, runId);
        if (!status) throw notFound(runId);
        throw new CrossdockError('RUN_ALREADY_ENDED', `Run ${runId} already ended (${status})`, {
          category: 'user',
          retryable: false,
        });
      }
      return row;
    });
    if (ended.parent_run_id)
      await sendSignal(
        this.store.db,
        String(ended.parent_run_id),
        subflowSignalName(runId),
        { status: 'cancelled', error: null },
        now,
      );
    await this.store.wake('admit'); // a cancelled keyed run frees its key
    this.events.emit('run:cancelled', { runId, workflowId: ended.workflow_id });
  }

  /** Delivers a named signal to a run (buffered if the run is not waiting for it yet). */
  async signal(runId: string, name: string, payload: unknown): Promise<void> {
    if (name === REPLAY_SIGNAL)
      throw new CrossdockError(
        'SIGNAL_RESERVED',
        `"${name}" is the engine's own record of a replay; it cannot be sent`,
        { category: 'user', retryable: false },
      );
    if (!(await sendSignal(this.store.db, assertId(runId), name, payload, this.clock.now())))
      throw notFound(runId);
    await this.store.wake('work', 1); // the run, if it was waiting for it
  }
}

function replayable(runId: string, row: ReplayableRow | undefined): ReplayableRow {
  if (!row) throw notFound(runId);
  if (row.status !== 'failed' && row.status !== 'cancelled') {
    throw new CrossdockError(
      'RUN_NOT_REPLAYABLE',
      `Run ${runId} is ${row.status}; only failed or cancelled runs can be replayed`,
      { category: 'user', retryable: false },
    );
  }
  return row;
}
