import { writeCheckpoints, type CaseEventSink, type CheckpointRecord, type Store } from '../store/index.ts';

interface Pending {
  record: CheckpointRecord;
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
  ) {}

  /** Resolves true once committed, false if the run's lease was lost (the record was not written). */
  write(record: CheckpointRecord): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const othersMayCome = this.runsInFlight() > this.#queue.length;
        if (this.lingerMs > 0 && othersMayCome && this.#queue.length < this.maxBatch / 4) await new Promise((r) => setTimeout(r, this.lingerMs));
        const batch = this.#queue.splice(0, this.maxBatch);
        try {
          const written = await writeCheckpoints(this.store.db, this.workerId, batch.map((p) => p.record), this.caseEvents);
          for (const p of batch) p.resolve(written.has(p.record.runId));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
