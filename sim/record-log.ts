/**
 * What a simulator keeps of what it did (calls answered, webhooks sent, log lines), so tests
 * can count effects. By default it keeps everything: a test sees its whole exchange. A
 * simulator that runs for hours (the demo) passes `keep`, and only the newest `keep` entries
 * stay; `total` still counts every entry since the start (or the last clear), so sequence
 * numbers go on and "did this call send anything" stays answerable at the limit.
 */
export class RecordLog<T> {
  /** The kept entries, oldest first. The same array for the log's life: callers may hold it. */
  readonly entries: T[] = [];
  readonly keep: number;
  #total = 0;

  constructor(keep: number = Number.POSITIVE_INFINITY) {
    if (!(keep === Number.POSITIVE_INFINITY || (Number.isInteger(keep) && keep > 0)))
      throw new RangeError(`keep must be a positive integer or Infinity, not ${keep}`);
    this.keep = keep;
  }

  /** Entries added since the start or the last clear, kept or not. */
  get total(): number {
    return this.#total;
  }

  add(entry: T): T {
    this.#total += 1;
    this.entries.push(entry);
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
    this.#total = 0;
  }
}
