/**
 * In-memory tables with transactions, standing in for Odoo's PostgreSQL database.
 *
 * Invariants:
 * - every RPC call runs in one Transaction; other calls see only committed rows, so a
 *   webhook sent during a call (before commit) cannot read the call's changes back;
 * - ids and named sequences are allocated outside transactions and never given back,
 *   like PostgreSQL sequences (a rolled-back create still consumes its id);
 * - commit fails with a SerializationConflict when a row this transaction changed was
 *   committed by another transaction in the meantime (first committer wins);
 * - a transaction has one timestamp, taken when it first asks (PostgreSQL's now(), which
 *   Odoo's cr.now() stamps create_date/write_date with), at microsecond precision and
 *   strictly increasing across transactions, as PostgreSQL's clock makes them in practice.
 */

export type Row = Readonly<Record<string, unknown>>;

export class SerializationConflict extends Error {
  constructor(key: string) {
    super(`could not serialize access due to concurrent update (${key})`);
    this.name = 'SerializationConflict';
  }
}

export class Store {
  readonly #tables = new Map<string, Map<number, Row>>();
  readonly #versions = new Map<string, number>();
  readonly #nextIds = new Map<string, number>();
  readonly #sequences = new Map<string, number>();
  #lastStampMicros = 0;

  table(model: string): Map<number, Row> {
    let table = this.#tables.get(model);
    if (table === undefined) {
      table = new Map();
      this.#tables.set(model, table);
    }
    return table;
  }

  /** Loads a committed row (seed data); keeps the id sequence ahead of it. */
  seed(model: string, row: Row & { id: number }): void {
    this.table(model).set(row.id, row);
    if ((this.#nextIds.get(model) ?? 1) <= row.id) this.#nextIds.set(model, row.id + 1);
  }

  /**
   * Removes committed rows outright, with their row versions (orm/forget.ts): a transaction
   * that changed one of them meanwhile fails to commit, as if it had been deleted.
   */
  drop(model: string, ids: Iterable<number>): void {
    const table = this.table(model);
    for (const id of ids) {
      table.delete(id);
      this.#versions.delete(`${model}:${id}`);
    }
  }

  allocateId(model: string): number {
    const id = this.#nextIds.get(model) ?? 1;
    this.#nextIds.set(model, id + 1);
    return id;
  }

  /**
   * Sets a model's id sequence so the next id is `nextId`. It never moves behind a
   * committed record (an id is never given to two records); it may move back over ids no
   * record holds, as a wizard sequence of a re-created database starts again at 1.
   */
  setNextId(model: string, nextId: number): void {
    const highest = Math.max(0, ...this.table(model).keys());
    if (nextId <= highest)
      throw new RangeError(`${model}: next id ${nextId} is not after record ${highest}`);
    this.#nextIds.set(model, nextId);
  }

  peekNextId(model: string): number {
    return this.#nextIds.get(model) ?? 1;
  }

  /** Next number of a named sequence (ir.sequence), e.g. sale order names. */
  nextSequenceNumber(code: string): number {
    const value = this.#sequences.get(code) ?? 1;
    this.#sequences.set(code, value + 1);
    return value;
  }

  setSequence(code: string, next: number): void {
    this.#sequences.set(code, next);
  }

  version(key: string): number {
    return this.#versions.get(key) ?? 0;
  }

  bumpVersion(key: string): void {
    this.#versions.set(key, this.version(key) + 1);
  }

  /** A new transaction timestamp in microseconds since the epoch: `nowMs`, or just after the previous one. */
  nextStampMicros(nowMs: number): number {
    this.#lastStampMicros = Math.max(Math.floor(nowMs) * 1000, this.#lastStampMicros + 1);
    return this.#lastStampMicros;
  }

  begin(): Transaction {
    return new Transaction(this);
  }
}

export interface CommitHook {
  run(): Promise<void>;
  /** Told that the transaction rolled back: `run` will never be called. */
  cancel(): void;
}

export class Transaction {
  readonly #store: Store;
  readonly #pending = new Map<string, Map<number, Row | null>>();
  readonly #baseVersions = new Map<string, number>();
  readonly #commitHooks: CommitHook[] = [];
  #open = true;
  #stamp: string | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  get store(): Store {
    return this.#store;
  }

  /** The transaction's timestamp ("YYYY-MM-DD HH:MM:SS.ffffff", naive UTC), fixed at its first use. */
  timestamp(now: () => Date): string {
    if (this.#stamp === undefined) {
      const micros = this.#store.nextStampMicros(now().getTime());
      const iso = new Date(Math.floor(micros / 1000)).toISOString();
      this.#stamp = `${iso.slice(0, 19).replace('T', ' ')}.${String(micros % 1_000_000).padStart(6, '0')}`;
    }
    return this.#stamp;
  }

  get(model: string, id: number): Row | undefined {
    const pending = this.#pending.get(model);
    if (pending?.has(id) === true) return pending.get(id) ?? undefined;
    return this.#store.table(model).get(id);
  }

  /** Ids visible to this transaction, ascending. */
  ids(model: string): number[] {
    const visible = new Set(this.#store.table(model).keys());
    for (const [id, row] of this.#pending.get(model) ?? []) {
      if (row === null) visible.delete(id);
      else visible.add(id);
    }
    return [...visible].sort((a, b) => a - b);
  }

  put(model: string, id: number, row: Row): void {
    this.#touch(model, id).set(id, row);
  }

  update(model: string, id: number, patch: Record<string, unknown>): void {
    const current = this.get(model, id);
    if (current === undefined) throw new Error(`${model}(${id}) does not exist`);
    this.put(model, id, { ...current, ...patch });
  }

  remove(model: string, id: number): void {
    this.#touch(model, id).set(id, null);
  }

  #touch(model: string, id: number): Map<number, Row | null> {
    if (!this.#open) throw new Error('transaction already finished');
    const key = `${model}:${id}`;
    if (!this.#baseVersions.has(key)) this.#baseVersions.set(key, this.#store.version(key));
    let pending = this.#pending.get(model);
    if (pending === undefined) {
      pending = new Map();
      this.#pending.set(model, pending);
    }
    return pending;
  }

  /**
   * Work to do once this transaction has committed (Odoo 19's post-commit hooks): the
   * committer runs it with runCommitHooks(); a rollback drops it, calling `cancel`.
   */
  onCommit(hook: CommitHook): void {
    if (!this.#open) throw new Error('transaction already finished');
    this.#commitHooks.push(hook);
  }

  get hasCommitHooks(): boolean {
    return this.#commitHooks.length > 0;
  }

  /** Runs, in order, the hooks registered before a successful commit. */
  async runCommitHooks(): Promise<void> {
    for (const hook of this.#commitHooks.splice(0)) await hook.run();
  }

  commit(): void {
    if (!this.#open) throw new Error('transaction already finished');
    this.#open = false;
    for (const [key, base] of this.#baseVersions) {
      if (this.#store.version(key) !== base) throw new SerializationConflict(key);
    }
    for (const [model, rows] of this.#pending) {
      const table = this.#store.table(model);
      for (const [id, row] of rows) {
        if (row === null) table.delete(id);
        else table.set(id, row);
        this.#store.bumpVersion(`${model}:${id}`);
      }
    }
  }

  rollback(): void {
    this.#open = false;
    this.#pending.clear();
    for (const hook of this.#commitHooks.splice(0)) hook.cancel();
  }
}
