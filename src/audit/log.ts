import { sql, type Kysely, type RawBuilder } from 'kysely';
import { canonicalJson, entryHash, GENESIS_HASH } from './chain.ts';
import { checkIntakeEntry, INTAKE_ACTION } from './intake-check.ts';
import type { AuditHead, Database } from '../store/index.ts';

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

/**
 * A search of the log, one page at a time with keyset cursors on seq (never an offset, so
 * pages neither skip nor repeat entries while the log grows). The page holds the `limit`
 * matching entries nearest its cursor: just after `after`, just before `before`, or, with
 * neither, at the head of the order (the newest for desc, the oldest for asc).
 */
export interface AuditSearch {
  /** How the page is listed: newest first or oldest first. */
  order: 'asc' | 'desc';
  /** The entries just after this seq, or just before it. */
  cursor?: { after: number } | { before: number };
  /** An action ("run.replay"), or a prefix of dotted actions ("run" finds run.*). */
  action?: string;
  /** Text the actor contains, any case ("ana@" finds "user:3 ana@example.com" and her tokens). */
  actorContains?: string;
  /** A target ("approval:12"); a prefix when it ends with ":" ("run:") or "*" ("workflow:order*"). */
  target?: string;
  /** Entries at or after `from` and before `to`. */
  from?: Date;
  to?: Date;
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the matching entries older than this page; null when there are none. */
  older: number | null;
  /** Pass as `after` for the matching entries newer than this page; null when there are none. */
  newer: number | null;
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
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /**
   * Appends one entry; inside the caller's transaction when given one (atomic with the change it
   * records). `lockedHead`: the head as that transaction already read it under its lock.
   */
  async append(
    input: AuditInput,
    executor?: Kysely<Database>,
    lockedHead?: AuditHead,
  ): Promise<AuditEntry> {
    if (executor) return this.#append(input, executor, lockedHead);
    return this.db.transaction().execute((tx) => this.#append(input, tx));
  }

  async #append(
    input: AuditInput,
    tx: Kysely<Database>,
    lockedHead?: AuditHead,
  ): Promise<AuditEntry> {
    // A head read earlier in the transaction is still the head unless the transaction appended
    // since (a case it opened, say): then the guarded write changes nothing, and the head is
    // read again. The lock is the transaction's either way.
    if (lockedHead) {
      const written = await this.#write(input, tx, lockedHead, true);
      if (written) return written;
    }
    const head = (
      await sql<{
        seq: string | number;
        hash: string;
      }>`SELECT seq, hash FROM audit_head WHERE id FOR UPDATE`.execute(tx)
    ).rows[0]!;
    return (await this.#write(input, tx, { seq: Number(head.seq), hash: head.hash }, false))!;
  }

  /** The entry after `head` and the head that names it, in one statement (one round trip under the head's lock). */
  async #write(
    input: AuditInput,
    tx: Kysely<Database>,
    head: AuditHead,
    guarded: boolean,
  ): Promise<AuditEntry | null> {
    // The canonical text is stored as it is: JSON.stringify of its parse would give it again.
    const detailsJson = canonicalJson(input.details ?? {});
    const details = JSON.parse(detailsJson) as Record<string, unknown>;
    const entry = {
      seq: head.seq + 1,
      at: this.now().toISOString(),
      actor: input.actor,
      action: input.action,
      target: input.target ?? null,
      details,
      requestId: input.requestId ?? null,
      prevHash: head.hash,
    };
    const hash = entryHash(entry);
    const current = guarded
      ? sql`WHERE EXISTS (SELECT 1 FROM audit_head WHERE id AND seq = ${head.seq} AND hash = ${head.hash})`
      : sql``;
    const result = await sql`WITH entry AS (
                INSERT INTO audit_log (seq, at, actor, action, target, details, request_id, prev_hash, hash)
                SELECT ${entry.seq}, ${entry.at}, ${entry.actor}, ${entry.action}, ${entry.target}, ${detailsJson}::jsonb, ${entry.requestId}, ${entry.prevHash}, ${hash}
                ${current}
                RETURNING seq)
              UPDATE audit_head SET seq = entry.seq, hash = ${hash} FROM entry WHERE id`.execute(
      tx,
    );
    return Number(result.numAffectedRows ?? 0) === 1 ? { ...entry, hash } : null;
  }

  async list(
    filter: {
      afterSeq?: number;
      beforeSeq?: number;
      action?: string;
      actor?: string;
      limit?: number;
    } = {},
  ): Promise<AuditEntry[]> {
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

  /** One page of a search, with the cursors to the pages on either side of it. */
  async search(q: AuditSearch): Promise<AuditPage> {
    const after = q.cursor && 'after' in q.cursor ? q.cursor.after : undefined;
    const before = q.cursor && 'before' in q.cursor ? q.cursor.before : undefined;
    const matches = searchConditions(q);
    // The scan runs away from the cursor: down from `before` (or from the top, newest first), else up.
    const down = before !== undefined || (after === undefined && q.order === 'desc');
    const bound =
      before !== undefined
        ? sql`seq < ${before}`
        : after !== undefined
          ? sql`seq > ${after}`
          : sql`true`;
    const rows = (
      await sql<Row>`SELECT * FROM audit_log WHERE ${bound} AND ${matches}
      ORDER BY seq ${down ? sql`DESC` : sql`ASC`} LIMIT ${q.limit + 1}`.execute(this.db)
    ).rows;
    const found = rows.slice(0, q.limit).map(toEntry);
    const more = rows.length > q.limit;
    // The seq range this page covers; an empty page covers everything beyond its cursor.
    const seqs = found.map((e) => e.seq);
    const low = seqs.length > 0 ? Math.min(...seqs) : after !== undefined ? after + 1 : null;
    const high = seqs.length > 0 ? Math.max(...seqs) : before !== undefined ? before - 1 : null;
    // Ahead of the scan, the extra row says whether more match. Behind it there is something
    // only when a cursor led here, and the store is asked whether it still has matches there.
    const anyMatch = async (edge: RawBuilder<unknown>) =>
      (
        await sql<{
          found: boolean;
        }>`SELECT EXISTS (SELECT 1 FROM audit_log WHERE ${edge} AND ${matches}) AS found`.execute(
          this.db,
        )
      ).rows[0]?.found === true;
    let older: number | null = null;
    let newer: number | null = null;
    if (down) {
      if (more) older = low;
      if (before !== undefined && high !== null && (await anyMatch(sql`seq > ${high}`)))
        newer = high;
    } else {
      if (more) newer = high;
      if (after !== undefined && low !== null && (await anyMatch(sql`seq < ${low}`))) older = low;
    }
    found.sort((a, b) => (q.order === 'desc' ? b.seq - a.seq : a.seq - b.seq));
    return { entries: found, older, newer };
  }

  /** Every entry in order, in pages (for export and verify). */
  async *entries(pageSize = 1000): AsyncGenerator<AuditEntry> {
    let after = 0;
    for (;;) {
      const page = (
        await sql<Row>`SELECT * FROM audit_log WHERE seq > ${after} ORDER BY seq LIMIT ${pageSize}`.execute(
          this.db,
        )
      ).rows.map(toEntry);
      yield* page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.seq;
    }
  }

  /**
   * Walks the chain from the first entry: each seq follows the last, each prev_hash is the
   * last entry's hash, each hash matches its contents, and the head matches the last entry
   * (a removed tail shows here), and every event an intake entry covers is still stored as
   * it recorded it. Names the first entry (or event) that does not hold.
   */
  async verify(): Promise<VerifyResult> {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let count = 0;
    for await (const entry of this.entries()) {
      const where = `entry ${entry.seq} (${entry.action} by ${entry.actor} at ${entry.at})`;
      if (entry.seq !== expectedSeq)
        return {
          ok: false,
          entries: count,
          seq: expectedSeq,
          problem: `entry ${expectedSeq} is missing: the next entry is ${where}`,
        };
      if (entry.prevHash !== prevHash)
        return {
          ok: false,
          entries: count,
          seq: entry.seq,
          problem: `${where} does not link to entry ${entry.seq - 1}: an entry before it was altered or removed`,
        };
      if (entryHash(entry) !== entry.hash)
        return {
          ok: false,
          entries: count,
          seq: entry.seq,
          problem: `${where} was altered: its contents do not match its hash`,
        };
      // The events an intake entry covers must still be stored as it recorded them.
      const event = entry.action === INTAKE_ACTION ? await checkIntakeEntry(this.db, entry) : null;
      if (event !== null) return { ok: false, entries: count, seq: entry.seq, problem: event };
      prevHash = entry.hash;
      expectedSeq++;
      count++;
    }
    const head = (
      await sql<{
        seq: string | number;
        hash: string;
      }>`SELECT seq, hash FROM audit_head WHERE id`.execute(this.db)
    ).rows[0];
    if (!head || Number(head.seq) !== count || head.hash !== prevHash) {
      return {
        ok: false,
        entries: count,
        seq: count + 1,
        problem: `the log ends at entry ${count} but its head records entry ${head?.seq ?? '?'}: entries at the end were removed`,
      };
    }
    return { ok: true, entries: count, headHash: prevHash };
  }
}

/** The search's filters as one SQL condition (true when there are none). */
function searchConditions(q: AuditSearch): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [];
  if (q.action !== undefined)
    conditions.push(sql`(action = ${q.action} OR starts_with(action, ${`${q.action}.`}))`);
  if (q.actorContains !== undefined)
    conditions.push(sql`strpos(lower(actor), lower(${q.actorContains})) > 0`);
  if (q.target !== undefined) {
    if (q.target.endsWith('*')) conditions.push(sql`starts_with(target, ${q.target.slice(0, -1)})`);
    else if (q.target.endsWith(':')) conditions.push(sql`starts_with(target, ${q.target})`);
    else conditions.push(sql`target = ${q.target}`);
  }
  if (q.from !== undefined) conditions.push(sql`at >= ${q.from.toISOString()}::timestamptz`);
  if (q.to !== undefined) conditions.push(sql`at < ${q.to.toISOString()}::timestamptz`);
  return conditions.length > 0 ? sql.join(conditions, sql` AND `) : sql`true`;
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
