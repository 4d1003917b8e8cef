import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/index.ts';
import {
  admitQueuedRuns,
  claimRuns,
  isStoreFault,
  loadReplayMarkers,
  idleState,
  renewLeases,
  type CaseEventSink,
  type ClaimedRun,
  type Store,
} from '../store/index.ts';
import { Checkpointer } from './checkpointer.ts';
import type { Clock } from './clock.ts';
import { RunDriver, type DriverDeps } from './run-driver.ts';
import { mayHaveBeenReplayed, memoryFromCheckpoints } from './scope.ts';
import { retryDelayMs } from './retry.ts';
import { retryOnStoreFault, STORE_RETRY } from './store-retry.ts';

export interface WorkerOptions {
  /** Runs this worker drives at once. */
  concurrency: number;
  claimBatch: number;
  leaseMs: number;
  pollIntervalMs: number;
  checkpointBatch: number;
  /** Milliseconds a small checkpoint batch waits for more before committing; 0 commits at once. */
  checkpointLingerMs: number;
  /** How long stop() waits for in-flight steps before abandoning them to lease expiry. */
  drainTimeoutMs: number;
  /** How long a step waits for the record key it declares (`serializeOn`) before STEP_LOCK_BUSY. */
  stepLockWaitMs: number;
}

/**
 * Claims due runs and drives them. Many workers may share one PostgreSQL database; each
 * holds its runs under a lease that a heartbeat renews. A worker that dies stops renewing,
 * and another one claims its runs when the lease expires and resumes them from their last
 * checkpoint.
 */
export class Worker {
  readonly id: string;
  readonly #inFlight = new Map<string, AbortController>();
  readonly #driver: RunDriver;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: DriverDeps['random'];
  /** Loop passes in a row that failed on a store fault (0 while the store answers). */
  #storeFaults = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #nudge: (() => void) | undefined;
  #nudged = false;
  #unsubscribe: (() => void) | undefined;
  #offCancelled: (() => void) | undefined;
  readonly #events: DriverDeps['events'];
  #admissionWanted = true;
  /**
   * Something may have become due since the last claim: a wake-up from an intake, a signal,
   * another process, a timer or the poll. Only a run of this worker ending (which frees a
   * slot, and makes nothing due) does not set it.
   */
  #workHinted = true;
  /** The last claim found fewer due runs than it asked for: the store had no more then. */
  #drained = false;
  /** When the next parked run is due, as the store last said, and when it was asked. */
  #nextDue: Date | null = null;
  #nextDueAskedAt = -Infinity;
  /** A claim ran or a run was parked since the store was asked: ask again before sleeping. */
  #nextDueStale = true;
  /** Runs taken on wake-ups since the last claim started, and the size of a claim in flight (#take). */
  #promised = 0;
  #claiming = 0;

  constructor(
    deps: Omit<DriverDeps, 'checkpointer' | 'stepLockWaitMs'> & { caseEvents?: CaseEventSink },
    private readonly options: WorkerOptions,
    id = `w-${randomUUID().slice(0, 8)}`,
  ) {
    this.id = id;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger.child({ workerId: id });
    this.#events = deps.events;
    this.#driver = new RunDriver({
      ...deps,
      stepLockWaitMs: options.stepLockWaitMs,
      logger: this.#logger,
      checkpointer: new Checkpointer(
        deps.store,
        id,
        options.checkpointBatch,
        options.checkpointLingerMs,
        () => this.#inFlight.size,
        deps.caseEvents,
        deps.random,
      ),
    });
    this.#random = deps.random;
  }

  get activeRuns(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#store.onWake((reason, runs) => {
      this.wake(reason === 'admit');
      return runs === undefined ? 0 : this.#take(runs);
    });
    // A run cancelled in this process stops its step in flight now, not at the next renewal.
    this.#offCancelled = this.#events.on('run:cancelled', ({ runId }) =>
      this.#inFlight.get(runId)?.abort(),
    );
    this.#heartbeat = setInterval(
      () => void this.#renew(),
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    this.#loop = this.#run();
  }

  /** Asks the loop to look for work now (new events, signals, a timer that fired). */
  wake(admit = false): void {
    if (admit) this.#admissionWanted = true;
    this.#workHinted = true;
    this.#nudge_();
  }

  /**
   * Of `runs` just made ready, how many this worker will claim: its free slots, less those
   * promised to earlier wake-ups and those a claim in flight may fill. The rest the store
   * offers to other processes. (A worker that takes none is still woken: it claims as slots
   * free.)
   */
  #take(runs: number): number {
    const free = this.options.concurrency - this.#inFlight.size;
    // Not claiming until more slots free up: the runs would wait here for them.
    if (!this.#refills(free)) return 0;
    const room = free - this.#claiming - this.#promised;
    const take = Math.max(0, Math.min(runs, room));
    this.#promised += take;
    return take;
  }

  /** Refill in batches, not one slot at a time: one claim statement per batch of runs. */
  #refills(free: number): boolean {
    return (
      free >= Math.max(1, Math.floor(this.options.concurrency / 4)) || this.#inFlight.size === 0
    );
  }

  /** A run of this worker let go: a slot is free, but nothing new is due because of it. */
  #slotFreed(): void {
    this.#nudge_();
  }

  #nudge_(): void {
    this.#nudged = true;
    this.#nudge?.();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unsubscribe?.();
    this.#offCancelled?.();
    this.wake();
    await this.#loop;
    const deadline = Date.now() + this.options.drainTimeoutMs;
    while (this.#inFlight.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const controller of this.#inFlight.values()) controller.abort();
    clearInterval(this.#heartbeat);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#nudged = false; // wake-ups from here on make the next sleep return at once
      try {
        if (await this.#admitIfDue()) this.#workHinted = true;
        const free = this.options.concurrency - this.#inFlight.size;
        const refill = this.#refills(free);
        // A slot freed by a run of ours makes nothing due: when the last claim emptied the
        // store and nothing has hinted at work since, asking again would find nothing.
        const ask = refill && (this.#workHinted || !this.#drained);
        const want = ask ? Math.min(free, this.options.claimBatch) : 0;
        this.#workHinted = false;
        if (want > 0) [this.#promised, this.#claiming] = [0, want];
        let claimed: ClaimedRun[] = [];
        try {
          if (want > 0)
            claimed = await claimRuns(
              this.#store.db,
              this.id,
              want,
              this.#clock.now(),
              this.options.leaseMs,
              [...this.#inFlight.keys()],
            );
          if (want > 0) {
            this.#drained = claimed.length < want;
            this.#nextDueStale = true;
          }
          if (claimed.length > 0) await this.#dispatch(claimed);
        } finally {
          this.#claiming = 0; // the claimed runs are in flight now
        }
        this.#storeBack();
        if (claimed.length === want && want > 0) {
          this.#workHinted = true; // a full claim: more may be due
          continue;
        }
        await this.#idle(!refill);
      } catch (error) {
        this.#workHinted = true; // the pass did not finish: look again after the pause
        await this.#sleep(this.#loopFailed(error));
      }
    }
  }

  /**
   * The loop never ends on a failure. While the store is away (a store fault) it asks again
   * with the project's backoff, up to 5 s apart, and says so once; anything else is logged
   * as an error and retried after 1 s.
   */
  #loopFailed(error: unknown): number {
    if (!isStoreFault(error)) {
      this.#logger.error({ err: error }, 'worker loop failed; retrying in 1 s');
      return 1000;
    }
    this.#storeFaults++;
    if (this.#storeFaults === 1)
      this.#logger.warn(
        { code: error.code, err: error },
        'store unavailable; the worker waits for it and resumes',
      );
    return retryDelayMs(
      { ...STORE_RETRY, max_delay_ms: 5_000 },
      this.#storeFaults,
      { ...error.toJSON(), retryAfterMs: 0 },
      this.#random,
    );
  }

  #storeBack(): void {
    if (this.#storeFaults === 0) return;
    this.#logger.warn(
      { failedPasses: this.#storeFaults },
      'store available again; the worker resumed',
    );
    this.#storeFaults = 0;
  }

  /**
   * True when queued runs were made ready (so there is work to claim). Asked for by a wake-up
   * of the admitter, a run with a concurrency key ending here, or an idle look that found
   * runs queued.
   */
  async #admitIfDue(): Promise<boolean> {
    if (!this.#admissionWanted) return false;
    this.#admissionWanted = false;
    return (await admitQueuedRuns(this.#store.db, this.#clock.now())) > 0;
  }

  async #dispatch(claimed: ClaimedRun[]): Promise<void> {
    // Replay markers are read only for runs whose history allows a replay (most have none).
    // Reads only: safe to ask again. Given up, the claimed runs wait for their leases to expire.
    const replayed = claimed
      .filter((run) => mayHaveBeenReplayed(run.steps, run.seq))
      .map((run) => run.id);
    const replays = await retryOnStoreFault(
      () => loadReplayMarkers(this.#store.db, replayed),
      this.#random,
    );
    for (const run of claimed) {
      const controller = new AbortController();
      this.#inFlight.set(run.id, controller);
      const memory = memoryFromCheckpoints(run.steps, run.seq, replays.get(run.id));
      this.#driver
        .drive(run, memory, run.event, controller.signal)
        .then((result) => {
          if (
            result === 'ended' &&
            (run.concurrency_key !== null || run.concurrency_limit !== null)
          )
            this.#admissionWanted = true;
          // Parked until later (a retry, a wait): the next sleep asks the store when that is.
          if (result === 'parked') this.#nextDueStale = true;
        })
        .catch((error) =>
          this.#logger.warn(
            { err: error, runId: run.id },
            'run left to lease expiry after a store error',
          ),
        )
        .finally(() => {
          this.#inFlight.delete(run.id);
          this.#slotFreed();
        });
    }
  }

  /**
   * Sleeps until woken, a run finishes, the next parked run is due, or the poll interval
   * passes. The store is asked what is due only after a claim or a park changed it, and at
   * least once per poll interval (a run another process parks is found by then); a slot
   * freed in between reuses the answer. When the time runs out, the loop claims only if
   * something is due by then: an idle worker reads one statement per poll interval, not an
   * admission, a claim and this read.
   */
  async #idle(full: boolean): Promise<void> {
    let delay = this.options.pollIntervalMs;
    if (!full) {
      if (this.#nextDueStale || this.#lookedLongAgo()) await this.#look();
      const due = this.#nextDue;
      if (due) delay = Math.max(0, Math.min(delay, due.getTime() - this.#clock.now().getTime()));
    }
    if (!(await this.#sleep(delay))) return; // woken: the loop looks for work
    if (this.#lookedLongAgo()) await this.#look();
    const due = this.#nextDue;
    if (due !== null && due.getTime() <= this.#clock.now().getTime()) this.#workHinted = true;
  }

  #lookedLongAgo(): boolean {
    return Date.now() - this.#nextDueAskedAt >= this.options.pollIntervalMs;
  }

  /** Asks the store when the next run is due and whether runs wait for admission. */
  async #look(): Promise<void> {
    this.#nextDueStale = false;
    this.#nextDueAskedAt = Date.now();
    const state = await idleState(this.#store.db);
    this.#nextDue = state.nextDue;
    if (state.queued) this.#admissionWanted = true;
  }

  /** Returns at once if a wake-up came since the loop last looked for work; true if the time ran out. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#nudged) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (timedOut: boolean) => {
        clearTimeout(timer);
        this.#nudge = undefined;
        resolve(timedOut);
      };
      const timer = setTimeout(() => finish(true), ms);
      this.#nudge = () => finish(false);
    });
  }

  async #renew(): Promise<void> {
    const ids = [...this.#inFlight.keys()];
    if (ids.length === 0) return;
    try {
      const held = new Set(
        await renewLeases(this.#store.db, this.id, ids, this.#clock.now(), this.options.leaseMs),
      );
      for (const id of ids) {
        // A run that ended or parked in the meantime is gone from #inFlight; only live ones lost their lease.
        if (!held.has(id) && this.#inFlight.has(id)) this.#inFlight.get(id)!.abort();
      }
    } catch (error) {
      // With the store away the leases may run out; the fenced checkpoints then say so.
      if (!isStoreFault(error) || this.#storeFaults === 0)
        this.#logger.warn({ err: error }, 'lease renewal failed');
    }
  }
}
