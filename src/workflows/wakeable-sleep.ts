/**
 * The pause of a polling loop that a wake-up cuts short: `sleep` waits up to `ms`, or not at
 * all when `wake` was called since the last `clear` (a loop clears at the top of each pass,
 * so a wake-up during the pass makes the next pause return at once). Used by the background
 * loops that claim work from the store (notifications, EDI documents, shop stock levels).
 */
export class WakeableSleep {
  #woken = false;
  #cut: (() => void) | undefined;

  /** Cuts the pause in progress short, or the next one if none is in progress. */
  wake(): void {
    this.#woken = true;
    this.#cut?.();
  }

  /** Forgets earlier wake-ups (the start of a pass). */
  clear(): void {
    this.#woken = false;
  }

  sleep(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#cut = () => {
        this.#cut = undefined;
        done();
      };
    });
  }
}
