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

/** Webhook sources: configuration in webhook_sources, each one's secret sealed in the secret store. */
export class WebhookSources {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
  ) {}

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
    const source = executor ? await work(executor) : await this.db.transaction().execute(work);
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
    await sql`UPDATE webhook_sources SET signature_header = ${next.signatureHeader}, tolerance_s = ${next.toleranceSeconds}, mapping = ${JSON.stringify(next.mapping)}::jsonb,
                enabled = ${next.enabled}, key_conflict = ${next.keyConflict}, updated_at = ${this.now()} WHERE name = ${name}`.execute(
      executor,
    );
    return this.get(name, executor);
  }

  /** A new secret, shown once; the old one stops working at once. */
  async rotateSecret(name: string, executor?: Kysely<Database>): Promise<string> {
    await this.get(name);
    const secret = randomBytes(32).toString('base64url');
    await this.secrets.put(secretName(name), secret, null, executor);
    return secret;
  }

  async remove(name: string, executor?: Kysely<Database>): Promise<void> {
    await this.get(name);
    const work = async (tx: Kysely<Database>) => {
      await sql`DELETE FROM webhook_sources WHERE name = ${name}`.execute(tx);
      await this.secrets.remove(secretName(name), tx);
    };
    executor ? await work(executor) : await this.db.transaction().execute(work);
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

/** A webhook source's key-conflict policy (an unknown source: open a case, the default). */
export async function keyConflictOpensCase(db: Kysely<Database>, source: string): Promise<boolean> {
  const row = (
    await sql<{
      key_conflict: string;
    }>`SELECT key_conflict FROM webhook_sources WHERE name = ${source}`.execute(db)
  ).rows[0];
  return row?.key_conflict !== 'record';
}
