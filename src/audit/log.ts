import { sql, type Kysely } from 'kysely';
import { canonicalJson, entryHash, GENESIS_HASH } from './chain.ts';

export interface AuditInput {
  /** Who: "user:3 ana@example.com", "token:7 ci (user:3 ana@example.com)", "system", "cli:ana". */
  actor: string;
  /** What, as a stable dotted name: "user.create", "run.replay", "login.failed". */
  action: string;
  /** On what: "run:42", "user:5", "source:dhl". */
  target?: string | null;
  /** Why and how; never a secret value. */
  details?: Record<string, unknown>;
  requestId?: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  prevHash: string;
  hash: string;
}

export type VerifyResult =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; seq: number; problem: string };

interface Row {
  seq: string | number;
  at: Date | string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * The append-only, hash-chained audit log. Appends are serialised by the row lock on
 * audit_head (across processes too), so the chain has no forks and no gaps. The table
 * refuses UPDATE, DELETE and TRUNCATE (migration 0003); `verify` finds what someone with
 * the power to bypass that (a database superuser) changed.
 */
export class AuditLog {
  constructor(
    private readonly db: Kysely<any>,
    private readonly now: () => Date,
  ) {}

  /** Appends one entry; inside the caller's transaction when given one (atomic with the change it records). */
  async append(input: AuditInput, executor?: Kysely<any>): Promise<AuditEntry> {
    if (executor) return this.#append(input, executor);
    return this.db.transaction().execute((tx) => this.#append(input, tx));
  }

  async #append(input: AuditInput, tx: Kysely<any>): Promise<AuditEntry> {
    const head = (await sql<{ seq: string | number; hash: string }>`SELECT seq, hash FROM audit_head WHERE id FOR UPDATE`.execute(tx)).rows[0]!;
    const details = JSON.parse(canonicalJson(input.details ?? {})) as Record<string, unknown>;
    const entry = {
      seq: Number(head.seq) + 1,
      at: this.now().toISOString(),
      actor: input.actor,
      action: input.action,
      target: input.target ?? null,
      details,
      requestId: input.requestId ?? null,
      prevHash: head.hash,
    };
    const hash = entryHash(entry);
    await sql`INSERT INTO audit_log (seq, at, actor, action, target, details, request_id, prev_hash, hash)
              VALUES (${entry.seq}, ${entry.at}, ${entry.actor}, ${entry.action}, ${entry.target}, ${JSON.stringify(details)}::jsonb, ${entry.requestId}, ${entry.prevHash}, ${hash})`.execute(tx);
    await sql`UPDATE audit_head SET seq = ${entry.seq}, hash = ${hash} WHERE id`.execute(tx);
    return { ...entry, hash };
  }

  async list(filter: { afterSeq?: number; beforeSeq?: number; action?: string; actor?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await sql<Row>`
      SELECT * FROM audit_log
      WHERE (${filter.afterSeq ?? null}::bigint IS NULL OR seq > ${filter.afterSeq ?? null}::bigint)
        AND (${filter.beforeSeq ?? null}::bigint IS NULL OR seq < ${filter.beforeSeq ?? null}::bigint)
        AND (${filter.action ?? null}::text IS NULL OR action = ${filter.action ?? null}::text OR action LIKE ${`${filter.action ?? ''}.%`})
        AND (${filter.actor ?? null}::text IS NULL OR actor = ${filter.actor ?? null}::text)
      ORDER BY seq ${filter.beforeSeq !== undefined ? sql`DESC` : sql`ASC`}
      LIMIT ${Math.min(filter.limit ?? 100, 1000)}`.execute(this.db);
    return rows.rows.map(toEntry);
  }

  /** Every entry in order, in pages (for export and verify). */
  async *entries(pageSize = 1000): AsyncGenerator<AuditEntry> {
    let after = 0;
    for (;;) {
      const page = (await sql<Row>`SELECT * FROM audit_log WHERE seq > ${after} ORDER BY seq LIMIT ${pageSize}`.execute(this.db)).rows.map(toEntry);
      yield* page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.seq;
    }
  }

  /**
   * Walks the chain from the first entry: each seq follows the last, each prev_hash is the
   * last entry's hash, each hash matches its contents, and the head matches the last entry
   * (a removed tail shows here). Names the first entry that does not hold.
   */
  async verify(): Promise<VerifyResult> {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let count = 0;
    for await (const entry of this.entries()) {
      const where = `entry ${entry.seq} (${entry.action} by ${entry.actor} at ${entry.at})`;
      if (entry.seq !== expectedSeq) return { ok: false, entries: count, seq: expectedSeq, problem: `entry ${expectedSeq} is missing: the next entry is ${where}` };
      if (entry.prevHash !== prevHash) return { ok: false, entries: count, seq: entry.seq, problem: `${where} does not link to entry ${entry.seq - 1}: an entry before it was altered or removed` };
      if (entryHash(entry) !== entry.hash) return { ok: false, entries: count, seq: entry.seq, problem: `${where} was altered: its contents do not match its hash` };
      prevHash = entry.hash;
      expectedSeq++;
      count++;
    }
    const head = (await sql<{ seq: string | number; hash: string }>`SELECT seq, hash FROM audit_head WHERE id`.execute(this.db)).rows[0];
    if (!head || Number(head.seq) !== count || head.hash !== prevHash) {
      return { ok: false, entries: count, seq: count + 1, problem: `the log ends at entry ${count} but its head records entry ${head?.seq ?? '?'}: entries at the end were removed` };
    }
    return { ok: true, entries: count, headHash: prevHash };
  }
}

function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
