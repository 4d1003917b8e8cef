import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ROLE_PERMISSIONS, type Role } from './permissions.ts';
import type { Principal } from './principal.ts';
import type { User } from './users.ts';
import type { Database } from '../store/index.ts';

export const SESSION_COOKIE = 'crossdock_session';
export const CSRF_HEADER = 'x-csrf-token';

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * CSRF protection for cookie sessions: unsafe requests must echo a token derived from the
 * session id (HMAC), which a page on another origin cannot read. Bearer tokens need none
 * (a browser never adds them on its own).
 */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('crossdock csrf v1').digest('base64url');
}

export function csrfMatches(sessionId: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(csrfTokenFor(sessionId));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Ends every live session of a user (disabling the user logs them out everywhere). */
export async function revokeUserSessions(
  db: Kysely<Database>,
  userId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Dashboard sessions: the cookie carries 256 random bits; the table keeps their sha256. */
export class Sessions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly ttlMs: number,
  ) {}

  async create(user: User): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await sql`INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (${hashId(sessionId)}, ${user.id}, ${now}, ${expiresAt})`.execute(
      this.db,
    );
    return { sessionId, csrfToken: csrfTokenFor(sessionId), expiresAt };
  }

  async authenticate(sessionId: string): Promise<Principal | undefined> {
    if (sessionId.length > 100) return undefined;
    const idHash = hashId(sessionId);
    const row = (
      await sql<{ user_id: string; email: string; role: Role; kind: 'person' | 'service' }>`
      SELECT s.user_id, u.email, u.role, u.kind FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = ${idHash} AND s.revoked_at IS NULL AND s.expires_at > ${this.now()} AND u.disabled_at IS NULL`.execute(
        this.db,
      )
    ).rows[0];
    if (!row) return undefined;
    return {
      userId: String(row.user_id),
      email: row.email,
      role: row.role,
      kind: row.kind,
      via: { kind: 'session', sessionHash: idHash },
      permissions: new Set(ROLE_PERMISSIONS[row.role]),
      eventSources: null,
    };
  }

  async revoke(sessionHash: string): Promise<void> {
    await sql`UPDATE sessions SET revoked_at = ${this.now()} WHERE id_hash = ${sessionHash} AND revoked_at IS NULL`.execute(
      this.db,
    );
  }
}
