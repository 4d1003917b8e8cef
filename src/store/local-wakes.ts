import type { WakeReason } from './store.ts';

/**
 * Hears a wake-up in this process. `runs` is how many runs it is about, when the sender knows
 * (runs made ready, none waiting for admission), and how many are still to be taken after the
 * listeners before this one. A worker answers how many of them it will claim; anything else
 * answers nothing.
 */
export type WakeHandler = (reason: WakeReason, runs: number | undefined) => number | void;

/**
 * Wake-ups within one process. Every listener hears each one. A wake-up that names its runs
 * is also offered: the listeners (this process's workers) say how many of those runs they
 * have room for, and the store tells the other processes only about the rest. Waking every
 * worker process for a run this process claims a moment later costs each of them a claim
 * that finds nothing; with two worker processes that cost was more than the run itself at one
 * request at a time.
 */
export class LocalWakes {
  readonly #handlers = new Set<WakeHandler>();

  on(handler: WakeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Tells every listener; answers how many of `runs` this process took (0 when not named). */
  emit(reason: WakeReason, runs?: number): number {
    let left = runs;
    for (const handler of [...this.#handlers]) {
      const took = handler(reason, left);
      if (left !== undefined && typeof took === 'number') left = Math.max(0, left - took);
    }
    return runs === undefined || left === undefined ? 0 : runs - left;
  }
}
