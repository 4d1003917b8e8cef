import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import {
  PERMISSIONS,
  ROLE_PERMISSIONS,
  SOURCE_SCOPED_PERMISSIONS,
  type Permission,
  type Role,
} from './permissions.ts';
import type { Principal } from './principal.ts';
import type { Database } from '../store/index.ts';

/** Sources only the engine writes (src/engine/source-owners.ts); a token listing one could forge its events. */
const ENGINE_ONLY_SOURCES = ['crossdock', 'schedule'];

/** Tokens start with "cdx_" so secret scanners (and people) recognise a leaked one. */
export const TOKEN_PREFIX = 'cdx_';

export const NewTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Defaults to everything the owner's role allows. */
  scopes: z.array(z.enum(PERMISSIONS)).min(1).optional(),
  /**
   * Event sources the token may send as, and the only ones whose events and runs it may see;
   * omitted: any. The engine's own sources are never given to a person's token.
   */
  eventSources: z
    .array(
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
        .refine((s) => !ENGINE_ONLY_SOURCES.includes(s), 'reserved for Crossdock itself'),
    )
    .min(1)
    .optional(),
  /** Days until it expires; omitted: 90. Tokens always expire. */
  expiresInDays: z.int().min(1).max(730).optional(),
});
export type NewToken = z.input<typeof NewTokenSchema>;

export interface TokenInfo {
  id: string;
  userId: string;
  name: string;
  scopes: Permission[];
  eventSources: string[] | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

interface Row {
  id: string;
  user_id: string;
  name: string;
  scopes: Permission[];
  event_sources: string[] | null;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
  created_at: Date | string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const toInfo = (r: Row): TokenInfo => ({
  id: String(r.id),
  userId: String(r.user_id),
  name: r.name,
  scopes: r.scopes,
  eventSources: r.event_sources,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  lastUsedAt: iso(r.last_used_at),
  createdAt: iso(r.created_at)!,
});

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Last-use times are written at most this often per token, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * How long a token's principal is reused without asking the store again. A revocation or a
 * disabled user in this process clears it at once (`forget`); one made by another process
 * (the CLI on the store) takes effect here within this time. Requests that miss the cache
 * together share one lookup; a lookup begun before `forget` is neither kept nor believed.
 */
const CACHE_MS = 1_000;
const CACHE_MAX = 10_000;

interface Looked {
  principal: Principal;
  /** When the token expires (ms since the epoch), if it does. */
  expiresAt: number | null;
}

/** API tokens for machines: shown once at creation, stored as sha256, scoped, expiring, revocable. */
export class Tokens {
  readonly #cache = new Map<string, { principal: Principal; until: number }>();
  /** Lookups under way, by token hash: a burst of requests with one token asks the store once. */
  readonly #lookups = new Map<string, Promise<Looked | undefined>>();
  /** Bumped by `forget`: an answer read under an older generation may predate a revocation. */
  #generation = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** Returns the token text: the only time it exists outside the caller. */
  async create(
    owner: { id: string; role: Role },
    input: NewToken,
    createdBy: string | null,
    executor: Kysely<Database> = this.db,
  ): Promise<{ token: string; info: TokenInfo }> {
    const parsed = NewTokenSchema.safeParse(input);
    if (!parsed.success) {
      throw new CrossdockError('TOKEN_INVALID', 'The token request is not valid', {
        category: 'user',
        retryable: false,
        details: parsed.error.issues.map((i) => ({
          path: i.path.join('.') || '(token)',
          message: i.message,
        })),
      });
    }
    const allowed = ROLE_PERMISSIONS[owner.role];
    const scopes = parsed.data.scopes ?? [...allowed];
    const beyond = scopes.filter((s) => !allowed.includes(s));
    if (beyond.length > 0) {
      throw new CrossdockError(
        'TOKEN_SCOPE_DENIED',
        `A ${owner.role} cannot hold ${beyond.join(', ')}`,
        {
          category: 'policy',
          retryable: false,
          details: beyond.map((s) => ({
            path: 'scopes',
            message: `${s} is beyond the ${owner.role} role`,
          })),
        },
      );
    }
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const expiresAt = new Date(now.getTime() + (parsed.data.expiresInDays ?? 90) * 86_400_000);
    const row = (
      await sql<Row>`
      INSERT INTO api_tokens (user_id, name, token_hash, scopes, event_sources, expires_at, created_at, created_by)
      VALUES (${owner.id}, ${parsed.data.name}, ${hashToken(token)}, ${JSON.stringify([...new Set(scopes)])}::jsonb,
              ${parsed.data.eventSources ? JSON.stringify(parsed.data.eventSources) : null}::jsonb, ${expiresAt}, ${now}, ${createdBy})
      RETURNING *`.execute(executor)
    ).rows[0]!;
    return { token, info: toInfo(row) };
  }

  /** Short-lived tokens for the engine's own use (expiry in ms, not days). */
  async createInternal(
    ownerId: string,
    name: string,
    scopes: Permission[],
    eventSources: string[] | null,
    ttlMs: number,
  ): Promise<{ token: string; info: TokenInfo }> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const row = (
      await sql<Row>`
      INSERT INTO api_tokens (user_id, name, token_hash, scopes, event_sources, expires_at, created_at)
      VALUES (${ownerId}, ${name}, ${hashToken(token)}, ${JSON.stringify(scopes)}::jsonb, ${eventSources ? JSON.stringify(eventSources) : null}::jsonb, ${new Date(now.getTime() + ttlMs)}, ${now})
      RETURNING *`.execute(this.db)
    ).rows[0]!;
    return { token, info: toInfo(row) };
  }

  async list(userId?: string): Promise<TokenInfo[]> {
    const rows =
      await sql<Row>`SELECT * FROM api_tokens WHERE (${userId ?? null}::bigint IS NULL OR user_id = ${userId ?? null}::bigint) ORDER BY id`.execute(
        this.db,
      );
    return rows.rows.map(toInfo);
  }

  async get(id: string): Promise<TokenInfo> {
    if (!/^\d{1,18}$/.test(id)) throw notFound(id);
    const row = (await sql<Row>`SELECT * FROM api_tokens WHERE id = ${id}`.execute(this.db))
      .rows[0];
    if (!row) throw notFound(id);
    return toInfo(row);
  }

  async revoke(id: string, executor: Kysely<Database> = this.db): Promise<TokenInfo> {
    const token = await this.get(id);
    await sql`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ${this.now()}) WHERE id = ${token.id}`.execute(
      executor,
    );
    this.forget();
    return this.get(id);
  }

  /**
   * The principal a bearer token stands for, or undefined if it is unknown, revoked,
   * expired, or its user is disabled. What it may do: its scopes AND its user's role now.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const now = this.now();
    const hash = hashToken(token);
    const cached = this.#cache.get(hash);
    if (cached && now.getTime() < cached.until) return cached.principal;
    const generation = this.#generation;
    const found = await this.#shared(hash, now);
    // Forgotten while the store was asked: the answer may be from before a revocation.
    if (generation !== this.#generation) return this.authenticate(token);
    if (found === undefined) {
      this.#cache.delete(hash);
      return undefined;
    }
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(hash, {
      principal: found.principal,
      until: Math.min(now.getTime() + CACHE_MS, found.expiresAt ?? Infinity),
    });
    return found.principal;
  }

  /**
   * Drops every cached principal and every lookup under way: after a revocation or a disabled
   * user, the next request asks the store, and a request waiting on an earlier answer asks again.
   */
  forget(): void {
    this.#generation++;
    this.#cache.clear();
    this.#lookups.clear();
  }

  #shared(hash: string, now: Date): Promise<Looked | undefined> {
    const running = this.#lookups.get(hash);
    if (running) return running;
    const lookup = this.#lookup(hash, now).finally(() => {
      if (this.#lookups.get(hash) === lookup) this.#lookups.delete(hash);
    });
    this.#lookups.set(hash, lookup);
    return lookup;
  }

  async #lookup(hash: string, now: Date): Promise<Looked | undefined> {
    const row = (
      await sql<Row & { email: string; role: Role; kind: 'person' | 'service' }>`
      SELECT t.*, u.email, u.role, u.kind FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${hash} AND t.revoked_at IS NULL AND u.disabled_at IS NULL
        AND (t.expires_at IS NULL OR t.expires_at > ${now})`.execute(this.db)
    ).rows[0];
    if (!row) return undefined;
    if (
      row.last_used_at === null ||
      now.getTime() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS
    ) {
      await sql`UPDATE api_tokens SET last_used_at = ${now} WHERE id = ${row.id}`.execute(this.db);
    }
    const role = ROLE_PERMISSIONS[row.role];
    const expiresAt = row.expires_at === null ? null : new Date(row.expires_at).getTime();
    return {
      expiresAt,
      principal: {
        userId: String(row.user_id),
        email: row.email,
        role: row.role,
        kind: row.kind,
        via: { kind: 'token', tokenId: String(row.id), tokenName: row.name },
        permissions: new Set(
          row.scopes.filter(
            (s) =>
              role.includes(s) &&
              (row.event_sources === null || SOURCE_SCOPED_PERMISSIONS.includes(s)),
          ),
        ),
        eventSources: row.event_sources,
      },
    };
  }
}

function notFound(id: string): CrossdockError {
  return new CrossdockError('TOKEN_NOT_FOUND', `No token ${id}`, {
    category: 'user',
    retryable: false,
  });
}
