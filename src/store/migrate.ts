import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import type { Database } from './schema.ts';
import { installPath } from '../install-root.ts';

export const MIGRATIONS_DIR = installPath('migrations');
const MIGRATION_LOCK = 7_401_001; // advisory lock id: one migrator at a time on a shared server

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, index) => {
    const match = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(file);
    if (!match || Number(match[1]) !== index + 1) {
      throw new CrossdockError(
        'MIGRATION_INVALID',
        `Migration ${file} must be named NNNN_name.sql and numbered without gaps`,
        {
          category: 'bug',
        },
      );
    }
    return { version: index + 1, name: file, sql: readFileSync(join(dir, file), 'utf8') };
  });
}

/**
 * Applies pending migrations, each in its own transaction, forward only, and returns the
 * names applied. Each script first records its version, so when two processes migrate at
 * once the second fails on the primary key, rolls back, and finds the work done.
 * Refuses to run against a database that is newer than this code.
 */
export async function migrate(
  db: Kysely<Database>,
  execScript: (script: string) => Promise<void>,
  migrations = listMigrations(),
): Promise<string[]> {
  await execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const done: string[] = [];
  for (;;) {
    const applied = await sql<{
      version: number;
    }>`SELECT max(version) AS version FROM schema_migrations`.execute(db);
    const current = applied.rows[0]?.version ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new CrossdockError(
        'STORE_SCHEMA_NEWER',
        `The database is at schema version ${current} but this Crossdock knows only up to ${latest}; upgrade Crossdock`,
        { category: 'user', retryable: false },
      );
    }
    const next = migrations.find((m) => m.version === current + 1);
    if (!next) return done;
    try {
      await execScript(`BEGIN;
SELECT pg_advisory_xact_lock(${MIGRATION_LOCK});
INSERT INTO schema_migrations (version, name) VALUES (${next.version}, '${next.name}');
${next.sql}
;COMMIT;`);
      done.push(next.name);
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error; // someone else applied it
    }
  }
}
