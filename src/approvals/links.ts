import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from '../store/index.ts';

type Db = Kysely<Database>;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface LinkInfo {
  requestId: string;
  level: number;
  userId: string;
  expiresAt: string;
}

const invalid = () =>
  new CrossdockError(
    'APPROVAL_LINK_INVALID',
    'This decision link is not valid (mistyped, or never issued)',
    { category: 'user', retryable: false },
  );
const used = (at: string) =>
  new CrossdockError(
    'APPROVAL_LINK_USED',
    `This decision link was already used at ${at}; each link decides once`,
    { category: 'user', retryable: false },
  );
const expired = (at: string) =>
  new CrossdockError(
    'APPROVAL_LINK_EXPIRED',
    `This decision link expired at ${at}; decide in the approvals inbox instead`,
    { category: 'user', retryable: false },
  );

/**
 * One-time decision links for e-mail. Each carries 256 random bits, is bound to one person,
 * one request and one level, expires with the level's deadline (or the TTL, if sooner) and
 * is spent by the decision it makes, in the same transaction. Only the sha256 is stored.
 */
export class ApprovalLinks {
  constructor(
    private readonly db: Db,
    private readonly ttlHours: number,
  ) {}

  async create(
    tx: Db,
    input: {
      requestId: string;
      level: number;
      userId: string;
      base: string;
      now: Date;
      expires: Date | null;
    },
  ): Promise<{ approve: string; reject: string }> {
    const token = randomBytes(32).toString('base64url');
    const ttl = new Date(input.now.getTime() + this.ttlHours * 3_600_000);
    const expiresAt = input.expires !== null && input.expires < ttl ? input.expires : ttl;
    await sql`INSERT INTO approval_links (token_hash, request_id, level, user_id, expires_at, created_at)
      VALUES (${hashOf(token)}, ${input.requestId}, ${input.level}, ${input.userId}, ${expiresAt}, ${input.now})`.execute(
      tx,
    );
    const page = `${input.base.replace(/\/$/, '')}/approve/${token}`;
    return { approve: `${page}?decision=approve`, reject: `${page}?decision=reject` };
  }

  /** What a link is for, if it can still be used. */
  async peek(token: string, now: Date, db: Db = this.db): Promise<LinkInfo> {
    if (!TOKEN_SHAPE.test(token)) throw invalid();
    const row = (
      await sql<{
        request_id: string;
        level: number;
        user_id: string;
        expires_at: Date;
        used_at: Date | null;
      }>`
      SELECT request_id, level, user_id, expires_at, used_at FROM approval_links WHERE token_hash = ${hashOf(token)}`.execute(
        db,
      )
    ).rows[0];
    if (!row) throw invalid();
    if (row.used_at !== null) throw used(new Date(row.used_at).toISOString());
    if (now >= new Date(row.expires_at)) throw expired(new Date(row.expires_at).toISOString());
    return {
      requestId: String(row.request_id),
      level: row.level,
      userId: String(row.user_id),
      expiresAt: new Date(row.expires_at).toISOString(),
    };
  }

  /** Spends a link inside the decision's transaction; a concurrent second use waits, then fails. */
  async consume(
    tx: Db,
    token: string,
    requestId: string,
    userId: string,
    now: Date,
  ): Promise<void> {
    const row = (
      await sql<{ request_id: string; user_id: string; expires_at: Date; used_at: Date | null }>`
      SELECT request_id, user_id, expires_at, used_at FROM approval_links WHERE token_hash = ${hashOf(token)} FOR UPDATE`.execute(
        tx,
      )
    ).rows[0];
    if (!row || String(row.request_id) !== requestId || String(row.user_id) !== userId)
      throw invalid();
    if (row.used_at !== null) throw used(new Date(row.used_at).toISOString());
    if (now >= new Date(row.expires_at)) throw expired(new Date(row.expires_at).toISOString());
    await sql`UPDATE approval_links SET used_at = ${now} WHERE token_hash = ${hashOf(token)}`.execute(
      tx,
    );
  }
}
