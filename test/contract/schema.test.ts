import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { tables, type Database } from '../../src/store/index.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
}

/** What the migrated database has: table -> column -> its description. */
async function migratedColumns(db: Kysely<Database>): Promise<Map<string, Map<string, DbColumn>>> {
  const { rows } = await sql<DbColumn>`
    SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
    FROM information_schema.columns
    WHERE table_schema = current_schema()
    ORDER BY table_name, ordinal_position`.execute(db);
  const byTable = new Map<string, Map<string, DbColumn>>();
  for (const row of rows) {
    const columns = byTable.get(row.table_name) ?? new Map<string, DbColumn>();
    columns.set(row.column_name, row);
    byTable.set(row.table_name, columns);
  }
  return byTable;
}

/** Every disagreement between the typed column map (src/store/tables.ts) and the database, one line each. */
function disagreements(
  typed: Record<string, Record<string, { pgType: string; nullable: boolean; generated: boolean }>>,
  migrated: Map<string, Map<string, DbColumn>>,
): string[] {
  const found: string[] = [];
  for (const table of migrated.keys())
    if (!(table in typed))
      found.push(`${table}: created by the migrations but not typed in src/store/tables.ts`);
  for (const [table, columns] of Object.entries(typed)) {
    const actual = migrated.get(table);
    if (!actual) {
      found.push(`${table}: typed but no migration creates it`);
      continue;
    }
    for (const name of actual.keys())
      if (!(name in columns)) found.push(`${table}.${name}: in the migrations but not typed`);
    for (const [name, column] of Object.entries(columns)) {
      const db = actual.get(name);
      if (!db) {
        found.push(`${table}.${name}: typed but not in the migrations`);
        continue;
      }
      if (db.data_type !== column.pgType)
        found.push(
          `${table}.${name}: typed ${column.pgType}, the migrations make it ${db.data_type}`,
        );
      const nullable = db.is_nullable === 'YES';
      if (nullable !== column.nullable)
        found.push(
          `${table}.${name}: typed ${column.nullable ? 'nullable' : 'NOT NULL'}, the migrations make it ${nullable ? 'nullable' : 'NOT NULL'}`,
        );
      const generated = db.column_default !== null || db.is_identity === 'YES';
      if (generated !== column.generated)
        found.push(
          `${table}.${name}: typed ${column.generated ? 'with' : 'without'} a default, the migrations give it ${generated ? 'one' : 'none'}`,
        );
    }
  }
  return found;
}

describe('the typed schema matches the migrations', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore();
  });
  after(async () => t.dispose());

  test('every table and column the migrations create is typed with its type, nullability and default', async () => {
    assert.deepEqual(disagreements(tables, await migratedColumns(t.store.db)), []);
  });

  test('a column changed, added or dropped by a migration is named as a disagreement', async () => {
    await t.store.execScript(`
      ALTER TABLE runs ALTER COLUMN cursor SET NOT NULL;
      ALTER TABLE signals ADD COLUMN priority integer NOT NULL DEFAULT 0;
      ALTER TABLE sessions DROP COLUMN revoked_at;
      ALTER TABLE secrets ALTER COLUMN description TYPE jsonb USING to_jsonb(description);
      CREATE TABLE shipments (id bigint PRIMARY KEY);`);
    assert.deepEqual(disagreements(tables, await migratedColumns(t.store.db)).sort(), [
      'runs.cursor: typed nullable, the migrations make it NOT NULL',
      'secrets.description: typed text, the migrations make it jsonb',
      'sessions.revoked_at: typed but not in the migrations',
      'shipments: created by the migrations but not typed in src/store/tables.ts',
      'signals.priority: in the migrations but not typed',
    ]);
  });
});
