/**
 * A counting semaphore bounding the calls in flight on one Odoo connection. Waiters are
 * served first come, first served; a permit is released even when the task throws.
 */
export class Semaphore {
  readonly #waiters: Array<() => void> = [];
  #available: number;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1)
      throw new RangeError(`permits must be a positive integer, got ${permits}`);
    this.#available = permits;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    // The permit passes straight to the next waiter, so the count never over-runs.
    if (next === undefined) this.#available += 1;
    else next();
  }
}
