import { sql, type Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import { open, seal, sealedKeyId } from './box.ts';
import type { Keyring } from './keyring.ts';
import type { Database } from '../store/index.ts';

export interface SecretInfo {
  name: string;
  description: string | null;
  keyId: string;
  createdAt: string;
  updatedAt: string;
}

export const SECRET_NAME = /^[a-z0-9][a-z0-9_.:-]{0,127}$/;

/**
 * Connection credentials, encrypted at rest. Values go in through `put` and come out only
 * through `reveal`, which connectors call at the moment of use; nothing here is ever
 * returned by the API (`list` shows names and key ids only).
 */
export class SecretStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring | null,
    private readonly now: () => Date,
  ) {}

  get available(): boolean {
    return this.keyring !== null;
  }

  async put(
    name: string,
    value: string,
    description: string | null = null,
    executor: Kysely<Database> = this.db,
  ): Promise<SecretInfo> {
    if (!SECRET_NAME.test(name))
      throw new CrossdockError(
        'SECRET_NAME_INVALID',
        `"${name}" is not a secret name (a-z, 0-9, "_", ".", ":", "-")`,
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'name', message: 'a-z, 0-9, "_", ".", ":", "-"; at most 128' }],
        },
      );
    const keyring = this.#keyring();
    const now = this.now();
    const sealed = seal(keyring.current, name, value);
    await sql`INSERT INTO secrets (name, key_id, ciphertext, description, created_at, updated_at)
              VALUES (${name}, ${keyring.current.id}, ${sealed}, ${description}, ${now}, ${now})
              ON CONFLICT (name) DO UPDATE SET key_id = EXCLUDED.key_id, ciphertext = EXCLUDED.ciphertext,
                description = coalesce(EXCLUDED.description, secrets.description), updated_at = EXCLUDED.updated_at`.execute(
      executor,
    );
    return (await this.info(name, executor))!;
  }

  /** The plaintext, for the component that uses it now. Never log or return it. */
  async reveal(name: string, executor: Kysely<Database> = this.db): Promise<string> {
    const row = (
      await sql<{
        ciphertext: string;
      }>`SELECT ciphertext FROM secrets WHERE name = ${name}`.execute(executor)
    ).rows[0];
    if (!row)
      throw new CrossdockError('SECRET_NOT_FOUND', `No secret "${name}"`, {
        category: 'user',
        retryable: false,
      });
    return open(this.#keyring(), name, row.ciphertext);
  }

  async info(name: string, executor: Kysely<Database> = this.db): Promise<SecretInfo | undefined> {
    const rows =
      await sql<Row>`SELECT name, description, key_id, created_at, updated_at FROM secrets WHERE name = ${name}`.execute(
        executor,
      );
    return rows.rows[0] && toInfo(rows.rows[0]);
  }

  async list(): Promise<SecretInfo[]> {
    const rows =
      await sql<Row>`SELECT name, description, key_id, created_at, updated_at FROM secrets ORDER BY name`.execute(
        this.db,
      );
    return rows.rows.map(toInfo);
  }

  async remove(name: string, executor: Kysely<Database> = this.db): Promise<boolean> {
    const result = await sql`DELETE FROM secrets WHERE name = ${name}`.execute(executor);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * Re-encrypts every secret under the current key, in one transaction: afterwards no row
   * needs a previous key. Returns how many rows changed key.
   */
  async reencryptAll(): Promise<{ reencrypted: number; total: number }> {
    const keyring = this.#keyring();
    return this.db.transaction().execute(async (tx) => {
      const rows = (
        await sql<{
          name: string;
          ciphertext: string;
        }>`SELECT name, ciphertext FROM secrets ORDER BY name FOR UPDATE`.execute(tx)
      ).rows;
      let reencrypted = 0;
      for (const row of rows) {
        if (sealedKeyId(row.ciphertext) === keyring.current.id) continue;
        const sealed = seal(keyring.current, row.name, open(keyring, row.name, row.ciphertext));
        await sql`UPDATE secrets SET key_id = ${keyring.current.id}, ciphertext = ${sealed} WHERE name = ${row.name}`.execute(
          tx,
        );
        reencrypted++;
      }
      return { reencrypted, total: rows.length };
    });
  }

  #keyring(): Keyring {
    if (!this.keyring) {
      throw new CrossdockError(
        'SECRETS_KEY_MISSING',
        'No secrets key is configured: set CROSSDOCK_SECRETS_KEY or CROSSDOCK_SECRETS_KEY_FILE (see docs/API.md)',
        { category: 'user', retryable: false },
      );
    }
    return this.keyring;
  }
}

interface Row {
  name: string;
  description: string | null;
  key_id: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const toInfo = (r: Row): SecretInfo => ({
  name: r.name,
  description: r.description,
  keyId: r.key_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * How many secrets each key sealed: what a keyring must open. None before the table is
 * migrated. Counts the authenticator secrets too (user_totp, owned by auth/totp-factors.ts:
 * read here, never written), sealed with the same keyring.
 */
export async function sealedKeyCounts<DB>(
  db: Kysely<DB>,
): Promise<{ keyId: string; count: number }[]> {
  const tables = (
    await sql<{
      secrets: boolean;
      totp: boolean;
    }>`SELECT to_regclass('secrets') IS NOT NULL AS secrets, to_regclass('user_totp') IS NOT NULL AS totp`.execute(
      db,
    )
  ).rows[0];
  if (!tables?.secrets) return [];
  const rows = await sql<{
    key_id: string;
    n: string | number;
  }>`SELECT key_id, count(*) AS n FROM (SELECT key_id FROM secrets
       ${tables.totp ? sql`UNION ALL SELECT key_id FROM user_totp` : sql``}) sealed
     GROUP BY key_id ORDER BY key_id`.execute(db);
  return rows.rows.map((r) => ({ keyId: r.key_id, count: Number(r.n) }));
}
