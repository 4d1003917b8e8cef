import type pg from 'pg';
import type { PgDriver } from './pg-driver.ts';
import { mapStoreFault } from './faults.ts';

export interface WakeListenerOptions {
  /** node-postgres, as the store loaded it (pg-driver.ts). */
  driver: PgDriver;
  url: string;
  channel: string;
  onNotify(payload: string | undefined): void;
  /**
   * Called after the connection came back. Notifications sent while it was down are lost,
   * so the caller must look for work as if it had been woken.
   */
  onReconnected(): void;
  /** First and longest pause between reconnection attempts. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * The LISTEN connection of a PostgreSQL store. It must never take the process down and
 * never stay dead: when the server drops it (a terminated backend, a restart) it is
 * replaced, with a growing pause while the server is away, and LISTEN is issued again.
 */
export class WakeListener {
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(private readonly options: WakeListenerOptions) {}

  /** Connects once; a failure here is the caller's (the store does not open). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** True while a LISTEN connection is up (between a loss and its replacement, false). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new this.options.driver.Client({ connectionString: this.options.url });
    // Registered before connect: an 'error' event without a listener would end the process.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => this.options.onNotify(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw mapStoreFault(error);
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return; // an old connection, already replaced or never adopted
    this.#client = undefined;
    client.end().catch(() => undefined);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#retry) return;
    const min = this.options.minDelayMs ?? 100;
    const delayMs = Math.min(
      this.options.maxDelayMs ?? 5_000,
      min * 2 ** Math.min(this.#failures, 16),
    );
    this.#retry = setTimeout(() => void this.#reconnect(), delayMs);
    this.#retry.unref();
  }

  async #reconnect(): Promise<void> {
    this.#retry = undefined;
    if (this.#closed) return;
    try {
      await this.#connect();
      this.#failures = 0;
      if (!this.#closed) this.options.onReconnected();
    } catch {
      this.#failures++;
      this.#schedule();
    }
  }
}
