/**
 * Every RPC call the simulator answered, so tests can count effects ("exactly one
 * message_post with this body"). Credentials are never recorded: authenticate calls keep
 * the database and login only, model calls keep model, method, args and kwargs.
 */
import { RecordLog } from '../record-log.ts';

export type SimProtocol = 'jsonrpc' | 'xmlrpc' | 'xmlrpc-legacy' | 'json2' | 'web' | 'internal';

export interface CallLogEntry {
  seq: number;
  protocol: SimProtocol;
  /** "common", "db" or "object" (model calls, whatever the protocol). */
  service: string;
  /** Service method ("authenticate", "execute_kw") or, for model calls, the model method. */
  method: string;
  model: string | null;
  args: unknown;
  kwargs: Readonly<Record<string, unknown>>;
  uid: number | null;
  outcome: 'ok' | 'error';
  /** Python class of the error, e.g. "odoo.exceptions.UserError". */
  error?: string;
}

export interface CallFilter {
  model?: string;
  method?: string;
  outcome?: 'ok' | 'error';
  where?: (entry: CallLogEntry) => boolean;
}

/** Keeps every call unless given `keep` (see RecordLog): then the newest `keep`, numbered on. */
export class CallLog {
  readonly #log: RecordLog<CallLogEntry>;

  constructor(keep?: number) {
    this.#log = new RecordLog(keep);
  }

  record(entry: Omit<CallLogEntry, 'seq'>): void {
    this.#log.add({ ...entry, seq: this.#log.total + 1 });
  }

  get entries(): readonly CallLogEntry[] {
    return this.#log.entries;
  }

  filter(filter: CallFilter = {}): CallLogEntry[] {
    return this.#log.entries.filter(
      (entry) =>
        (filter.model === undefined || entry.model === filter.model) &&
        (filter.method === undefined || entry.method === filter.method) &&
        (filter.outcome === undefined || entry.outcome === filter.outcome) &&
        (filter.where === undefined || filter.where(entry)),
    );
  }

  count(filter: CallFilter = {}): number {
    return this.filter(filter).length;
  }

  clear(): void {
    this.#log.clear();
  }
}
