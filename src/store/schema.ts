import type { TableOf } from './columns.ts';
import { tables } from './tables.ts';

export {
  ENDED_STATUSES,
  RunStatus,
  tables,
  type CaseSeverity,
  type CaseStatus,
  type CaseSubject,
  type CaseType,
} from './tables.ts';

type Tables = typeof tables;

/**
 * Kysely's view of every table created by migrations/, derived from the column map in
 * tables.ts (which the schema test checks against the migrated database).
 */
export type Database = { [T in keyof Tables]: TableOf<Tables[T]> };
