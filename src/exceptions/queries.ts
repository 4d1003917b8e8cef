import type { Kysely } from 'kysely';
import { findCase, type CaseFilter, type CaseRow, type Database } from '../store/index.ts';
import { exceptionErrors } from './model.ts';

/** The queue's checks in front of the store's case queries (src/store/case-queries.ts). */

export type Db = Kysely<Database>;
export type { CaseFilter };

export function assertCaseId(id: string, what?: string): string {
  if (!/^\d{1,18}$/.test(id)) throw exceptionErrors.idInvalid(id, what);
  return id;
}

/** The filter with its `user:<id>` owner checked. */
export function checkedFilter<F extends Pick<CaseFilter, 'owner'>>(f: F): F {
  if (f.owner?.startsWith('user:')) assertCaseId(f.owner.slice(5), 'a user id');
  return f;
}

export async function loadCase(db: Db, id: string, lock = false): Promise<CaseRow> {
  const row = await findCase(db, assertCaseId(id), lock);
  if (!row) throw exceptionErrors.notFound(id);
  return row;
}
