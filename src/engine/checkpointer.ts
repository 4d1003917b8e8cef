import {
  writeCheckpoints,
  type CaseEventSink,
  type CheckpointRecord,
  type Store,
} from '../store/index.ts';
import type { Random } from './clock.ts';
import { retryOnStoreFault } from './store-retry.ts';

interface Pending {
  /** One run's records, oldest first. */
  records: CheckpointRecord[];
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for step checkpoints. Each run waits for its own checkpoint before its
 * next step; checkpoints that arrive while a commit is in flight go into the next one,
 * so one transaction carries the steps of many runs.
 */
export class Checkpointer {
  #queue: Pending[] = [];
  #flushing = false;

  constructor(
    private readonly store: Store,
    private readonly workerId: string,
    private readonly maxBatch: number,
    /** How long a small batch waits for company before it commits (like PostgreSQL's commit_delay). */
    private readonly lingerMs: number,
    /** How many runs could still add a record; with none, waiting would only add latency. */
    private readonly runsInFlight: () => number,
    /** Told of the exception cases a batch opened or closed, in its transaction. */
    private readonly caseEvents?: CaseEventSink,
    private readonly random: Random = Math.random,
  ) {}

  /**
   * Writes one run's records (its steps since the last commit, oldest first) in one commit.
   * Resolves true once committed, false if the run's lease was lost (nothing was written).
   */
  write(records: CheckpointRecord[]): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const othersMayCome = this.runsInFlight() > this.#queue.length;
        if (this.lingerMs > 0 && othersMayCome && this.#queue.length < this.maxBatch / 4)
          await new Promise((r) => setTimeout(r, this.lingerMs));
        const batch = this.#queue.splice(0, this.maxBatch);
        try {
          // Safe to run again whole after a store fault: every record is fenced on this worker's
          // lease and the run being 'running'. If the lost answer hid a commit, a record that
          // moved its run on is re-applied unchanged (same row, same values), and one that
          // released its run (parked, ended) finds the fence shut and reports lease lost, so
          // no case, signal or audit entry is written twice.
          const records = batch.flatMap((p) => p.records);
          const written = await retryOnStoreFault(
            () => writeCheckpoints(this.store.db, this.workerId, records, this.caseEvents),
            this.random,
          );
          for (const p of batch) p.resolve(written.has(p.records[0]!.runId));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
