import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { SecretStore } from '../secrets/index.ts';
import type { Database } from '../store/index.ts';
import { MappingSchema, type Mapping } from './mapping.ts';
import { DEFAULT_SIGNATURE_HEADER, VERIFICATIONS, type Verification } from './verify.ts';

/**
 * Names that belong to Crossdock itself: Odoo's routes (/hooks/odoo/...), the engine's own
 * events (crossdock, schedule) and the carriers' tracking events (carrier.<code>).
 */
const RESERVED = new Set(['odoo', 'crossdock', 'schedule']);

const SourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, "_", "-", "." (at most 64)')
  .refine((n) => !RESERVED.has(n) && !n.startsWith('carrier.'), 'this name is reserved');

/** What a delivery that reuses a key with another payload does besides being recorded: `case` opens an exception case. */
export const KEY_CONFLICT_POLICIES = ['case', 'record'] as const;

export const NewSourceSchema = z.strictObject({
  name: SourceName,
  verification: z.enum(VERIFICATIONS),
  /** Header carrying the signature; defaults per verification mode. */
  signatureHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .optional(),
  toleranceSeconds: z.int().min(30).max(3600).default(300),
  mapping: MappingSchema,
  /** The shared secret; omitted: Crossdock generates one and shows it once. */
  secret: z.string().min(24, 'at least 24 characters').max(1024).optional(),
  enabled: z.boolean().default(true),
  keyConflict: z.enum(KEY_CONFLICT_POLICIES).default('case'),
});
export const SourceUpdateSchema = NewSourceSchema.omit({
  name: true,
  verification: true,
  secret: true,
})
  .partial()
  .strict();

export interface WebhookSource {
  name: string;
  verification: Verification;
  signatureHeader: string | null;
  toleranceSeconds: number;
  mapping: Mapping;
  enabled: boolean;
  keyConflict: (typeof KEY_CONFLICT_POLICIES)[number];
  createdAt: string;
  updatedAt: string;
  /** Where the sender posts (relative to Crossdock's public URL). */
  path: string;
}

interface Row {
  name: string;
  verification: Verification;
  secret_name: string;
  signature_header: string | null;
  tolerance_s: number;
  mapping: Mapping;
  enabled: boolean;
  key_conflict: (typeof KEY_CONFLICT_POLICIES)[number];
  created_at: Date | string;
  updated_at: Date | string;
}

const secretName = (source: string) => `webhook:${source}`;
const toSource = (r: Row): WebhookSource => ({
  name: r.name,
  verification: r.verification,
  signatureHeader: r.signature_header,
  toleranceSeconds: r.tolerance_s,
  mapping: r.mapping,
  enabled: r.enabled,
  keyConflict: r.key_conflict,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  path: r.verification === 'path-token' ? `/hooks/${r.name}/<token>` : `/hooks/${r.name}`,
});

function invalid(error: z.ZodError, what: string): CrossdockError {
  return new CrossdockError('SOURCE_INVALID', `The ${what} is not valid`, {
    category: 'user',
    retryable: false,
    details: error.issues.map((i) => ({
      path: i.path.join('.') || '(source)',
      message: i.message,
    })),
  });
}

/**
 * How long the ingress reuses a source and its secret without asking the store again (two
 * reads and an unsealing per delivery otherwise). A change made through this process (a new
 * source, an update, a new secret, a removal) clears it at once; one made by another process
 * takes effect here within this time, as a token's revocation does (auth/tokens.ts).
 */
const VERIFIER_CACHE_MS = 1_000;
const VERIFIER_CACHE_MAX = 1_000;

/** What a delivery to a source is checked against; the secret is read only for an enabled source. */
export interface Verifier {
  source: WebhookSource;
  secret: string | null;
}

/** Webhook sources: configuration in webhook_sources, each one's secret sealed in the secret store. */
export class WebhookSources {
  /** By source name: the lookup (shared by the deliveries that arrive while it runs) and until when it stands. */
  readonly #verifiers = new Map<string, { found: Promise<Verifier | undefined>; until: number }>();
  /** Bumped by every change: a lookup begun before one is neither kept nor believed. */
  #generation = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
  ) {}

  /** The source a delivery names and its secret, for the ingress; undefined for an unknown name. */
  async verifier(name: string): Promise<Verifier | undefined> {
    const now = this.now().getTime();
    const cached = this.#verifiers.get(name);
    const generation = this.#generation;
    let found = cached && now < cached.until ? cached.found : undefined;
    if (!found) {
      found = this.#readVerifier(name);
      if (this.#verifiers.size >= VERIFIER_CACHE_MAX) this.#verifiers.clear();
      const entry = { found, until: now + VERIFIER_CACHE_MS };
      this.#verifiers.set(name, entry);
      found.catch(() => this.#verifiers.get(name) === entry && this.#verifiers.delete(name));
    }
    const verifier = await found;
    // Changed while the store was asked: the answer may be from before the change.
    return generation === this.#generation ? verifier : this.verifier(name);
  }

  /**
   * Whether a key conflict on this source opens a case (an unknown source: yes, the default).
   * From the ingress's reading of the source: a delivery's conflict costs no read of its own.
   */
  async keyConflictOpensCase(name: string): Promise<boolean> {
    return (await this.verifier(name))?.source.keyConflict !== 'record';
  }

  async #readVerifier(name: string): Promise<Verifier | undefined> {
    const source = await this.find(name);
    if (!source) return undefined;
    return { source, secret: source.enabled ? await this.secretOf(name) : null };
  }

  /** Runs a change; the ingress reads the source again for the next delivery (see VERIFIER_CACHE_MS). */
  async #changing<T>(work: () => Promise<T>): Promise<T> {
    this.#forget();
    try {
      return await work();
    } finally {
      this.#forget();
    }
  }

  #forget(): void {
    this.#generation++;
    this.#verifiers.clear();
  }

  /** Returns the secret only when Crossdock generated it (the one time it is shown). */
  async create(
    input: unknown,
    executor?: Kysely<Database>,
  ): Promise<{ source: WebhookSource; secret: string | null }> {
    const parsed = NewSourceSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error, 'source');
    const s = parsed.data;
    const generated = s.secret === undefined ? randomBytes(32).toString('base64url') : null;
    const now = this.now();
    const work = async (tx: Kysely<Database>) => {
      const inserted = await sql<Row>`
        INSERT INTO webhook_sources (name, verification, secret_name, signature_header, tolerance_s, mapping, enabled, key_conflict, created_at, updated_at)
        VALUES (${s.name}, ${s.verification}, ${secretName(s.name)}, ${s.signatureHeader ?? DEFAULT_SIGNATURE_HEADER[s.verification]}, ${s.toleranceSeconds},
                ${JSON.stringify(s.mapping)}::jsonb, ${s.enabled}, ${s.keyConflict}, ${now}, ${now})
        ON CONFLICT (name) DO NOTHING RETURNING *`.execute(tx);
      if (!inserted.rows[0])
        throw new CrossdockError('SOURCE_EXISTS', `A source "${s.name}" already exists`, {
          category: 'user',
          retryable: false,
          details: [{ path: 'name', message: 'already taken' }],
        });
      await this.secrets.put(
        secretName(s.name),
        s.secret ?? generated!,
        `webhook secret of source ${s.name}`,
        tx,
      );
      return toSource(inserted.rows[0]);
    };
    const source = await this.#changing(() =>
      executor ? work(executor) : this.db.transaction().execute(work),
    );
    return { source, secret: generated };
  }

  async update(
    name: string,
    input: unknown,
    executor: Kysely<Database> = this.db,
  ): Promise<WebhookSource> {
    const parsed = SourceUpdateSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error, 'change');
    const current = await this.get(name);
    // Only what the change names: the schema's defaults (tolerance, keyConflict) must not reset the rest.
    const given = Object.fromEntries(
      Object.entries(parsed.data).filter(([k]) => Object.hasOwn(input as object, k)),
    );
    const next = { ...current, ...given };
    await this.#changing(() =>
      sql`UPDATE webhook_sources SET signature_header = ${next.signatureHeader}, tolerance_s = ${next.toleranceSeconds}, mapping = ${JSON.stringify(next.mapping)}::jsonb,
                enabled = ${next.enabled}, key_conflict = ${next.keyConflict}, updated_at = ${this.now()} WHERE name = ${name}`.execute(
        executor,
      ),
    );
    return this.get(name, executor);
  }

  /** A new secret, shown once; the old one stops working at once. */
  async rotateSecret(name: string, executor?: Kysely<Database>): Promise<string> {
    await this.get(name);
    const secret = randomBytes(32).toString('base64url');
    await this.#changing(() => this.secrets.put(secretName(name), secret, null, executor));
    return secret;
  }

  async remove(name: string, executor?: Kysely<Database>): Promise<void> {
    await this.get(name);
    const work = async (tx: Kysely<Database>) => {
      await sql`DELETE FROM webhook_sources WHERE name = ${name}`.execute(tx);
      await this.secrets.remove(secretName(name), tx);
    };
    await this.#changing(() => (executor ? work(executor) : this.db.transaction().execute(work)));
  }

  async list(): Promise<WebhookSource[]> {
    return (await sql<Row>`SELECT * FROM webhook_sources ORDER BY name`.execute(this.db)).rows.map(
      toSource,
    );
  }

  async get(name: string, executor: Kysely<Database> = this.db): Promise<WebhookSource> {
    const found = await this.find(name, executor);
    if (!found)
      throw new CrossdockError('SOURCE_NOT_FOUND', `No webhook source "${name}"`, {
        category: 'user',
        retryable: false,
      });
    return found;
  }

  async find(
    name: string,
    executor: Kysely<Database> = this.db,
  ): Promise<WebhookSource | undefined> {
    if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(name)) return undefined;
    const row = (
      await sql<Row>`SELECT * FROM webhook_sources WHERE name = ${name}`.execute(executor)
    ).rows[0];
    return row && toSource(row);
  }

  /** The verification secret, for the ingress only. */
  secretOf(name: string): Promise<string> {
    return this.secrets.reveal(secretName(name));
  }
}
