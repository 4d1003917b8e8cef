import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PgDriver } from './pg-driver.ts';
import { CrossdockError } from '../errors/index.ts';
import { mapStoreFault } from './faults.ts';
import { Turn } from './turn.ts';

/**
 * Keyed locks that a step holds for its whole execution (a step type's `serializeOn`): while
 * one execution holds a key, no other execution anywhere on this database acts under it, so a
 * second execution of a "look, then act" step (the same run claimed again after its lease
 * expired while the first worker was still inside the step, or another run acting on the same
 * record) looks only once the first has finished, and finds what it made.
 *
 * The lock is bound to the holder's liveness, not to a time: on a PostgreSQL server it is a
 * session-level advisory lock on a connection of its own, released by the server when the
 * holding process dies or its connection drops; the embedded store belongs to one process
 * (the data-directory lock), so a mutex in that process is the whole of it.
 */
export interface StepLocks {
  /**
   * Runs `work` holding `key`, and releases the key when `work` settles, whether it returned
   * or threw. Waits at most `waitMs` for the key (or until `signal` aborts), then fails with
   * STEP_LOCK_BUSY (transient, retryable) without running `work`. Waiters of one process
   * are served in arrival order.
   */
  hold<T>(key: string, options: LockWait, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface LockWait {
  waitMs: number;
  signal?: AbortSignal;
}

/** The embedded store's locks: one process holds the data directory, so one mutex per key. */
export function processStepLocks(): StepLocks {
  const local = new KeyedMutex();
  return {
    async hold(key, wait, work) {
      const release = await local.acquire(key, wait);
      try {
        return await work();
      } finally {
        release();
      }
    },
    async close() {},
  };
}

/**
 * A PostgreSQL server's locks. Each process keeps one connection (opened on first use, so a
 * process whose steps declare no key never opens it) holding every key its executions hold,
 * as session advisory locks under their own class id (`pg_locks.classid`). The server's lock
 * is re-entrant within a session, so this process's own executions are first ordered by the
 * mutex; across processes a key is tried (`pg_try_advisory_lock`, never a blocking wait that
 * would tie up the connection) every 10 ms doubling to 200 ms until the wait is over. The
 * engine's pool is not used: a step that holds a key for seconds takes no connection from it.
 */
export function serverStepLocks(driver: PgDriver, url: string): StepLocks {
  const local = new KeyedMutex();
  const session = new LockSession(driver, url);
  return {
    async hold(key, wait, work) {
      const deadline = Date.now() + wait.waitMs;
      const releaseLocal = await local.acquire(key, wait);
      let holder: pg.Client;
      try {
        holder = await session.take(key, deadline, wait);
      } catch (error) {
        releaseLocal();
        throw error;
      }
      try {
        return await work();
      } finally {
        await session.give(holder, key);
        releaseLocal();
      }
    },
    close: () => session.close(),
  };
}

/** The advisory lock class of step locks (the engine's other advisory locks use the one-key form). */
const STEP_LOCK_CLASS = 7_401_003;

/** The key's 32-bit object id: a collision only makes two keys wait for each other. */
function objectId(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

class LockSession {
  #client: Promise<pg.Client> | undefined;
  #closed = false;
  /**
   * The session's statements go one at a time: executions holding different keys take and
   * give them at once, and a pg client handed a query while another is in flight only queues
   * it, which pg 8 deprecates and pg 9 refuses.
   */
  readonly #turn = new Turn();

  constructor(
    private readonly driver: PgDriver,
    private readonly url: string,
  ) {}

  /** Takes `key` on the session; resolves with the connection that holds it. */
  async take(key: string, deadline: number, wait: LockWait): Promise<pg.Client> {
    for (let pauseMs = 10; ; pauseMs = Math.min(pauseMs * 2, 200)) {
      const client = await this.#connection();
      const result = await this.#query<{ held: boolean }>(
        client,
        'SELECT pg_try_advisory_lock($1, $2) AS held',
        [STEP_LOCK_CLASS, objectId(key)],
      ).catch((error: unknown) => {
        this.#drop(client);
        throw mapStoreFault(error);
      });
      if (result.rows[0]?.held === true) return client;
      const left = deadline - Date.now();
      if (left <= 0 || wait.signal?.aborted === true) throw lockBusy(key, wait.waitMs);
      await pause(Math.min(pauseMs, left), wait.signal);
    }
  }

  /** Releases `key`; a session that cannot release it is closed, which releases all it holds. */
  async give(client: pg.Client, key: string): Promise<void> {
    const current = this.#client === undefined ? undefined : await this.#client.catch(() => null);
    if (current !== client) return; // that session is gone, and its locks with it
    try {
      await this.#query(client, 'SELECT pg_advisory_unlock($1, $2)', [
        STEP_LOCK_CLASS,
        objectId(key),
      ]);
    } catch {
      this.#drop(client);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => null);
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #query<R extends pg.QueryResultRow>(
    client: pg.Client,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    await this.#turn.take();
    try {
      return await client.query<R>(text, values);
    } finally {
      this.#turn.give();
    }
  }

  #connection(): Promise<pg.Client> {
    if (this.#closed)
      return Promise.reject(
        new CrossdockError('STORE_UNAVAILABLE', 'The store is closed', { category: 'transient' }),
      );
    if (this.#client === undefined) {
      const client = new this.driver.Client({
        connectionString: this.url,
        application_name: 'crossdock step locks',
      });
      // A dropped connection released every lock it held; the next take opens another.
      client.on('error', () => this.#drop(client));
      client.on('end', () => this.#drop(client));
      const connecting = client.connect().then(
        () => client,
        (error: unknown) => {
          this.#client = undefined;
          throw mapStoreFault(error);
        },
      );
      this.#client = connecting;
    }
    return this.#client;
  }

  #drop(client: pg.Client): void {
    void this.#client?.then(
      (current) => {
        if (current === client) this.#client = undefined;
      },
      () => undefined,
    );
    void client.end().catch(() => undefined);
  }
}

/** Per-key FIFO mutex: the first caller holds the key, the others queue until they time out. */
class KeyedMutex {
  /** Held keys, each with the wake-ups of its waiters in arrival order. */
  readonly #queues = new Map<string, (() => void)[]>();

  async acquire(key: string, wait: LockWait): Promise<() => void> {
    const queue = this.#queues.get(key);
    if (queue === undefined) this.#queues.set(key, []);
    else await this.#enqueue(key, queue, wait);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queues.get(key)?.shift();
      if (next !== undefined)
        next(); // the key passes to the next waiter, never free in between
      else this.#queues.delete(key);
    };
  }

  #enqueue(key: string, queue: (() => void)[], wait: LockWait): Promise<void> {
    if (wait.signal?.aborted === true) return Promise.reject(lockBusy(key, wait.waitMs));
    return new Promise<void>((resolve, reject) => {
      const giveUp = () => {
        const index = queue.indexOf(wake);
        if (index >= 0) queue.splice(index, 1);
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', giveUp);
        reject(lockBusy(key, wait.waitMs));
      };
      const wake = () => {
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', giveUp);
        resolve();
      };
      const timer = setTimeout(giveUp, wait.waitMs);
      wait.signal?.addEventListener('abort', giveUp, { once: true });
      queue.push(wake);
    });
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function lockBusy(key: string, waitMs: number): CrossdockError {
  return new CrossdockError(
    'STEP_LOCK_BUSY',
    `Another execution holds "${key}" (the same step of this run claimed again after its lease expired, or another run acting on the same record); not obtained within ${waitMs} ms, the step runs again later`,
    { category: 'transient', retryable: true, retryAfterMs: 1_000 },
  );
}
