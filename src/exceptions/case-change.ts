import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Actor } from './case-input.ts';
import type { CaseStatus } from './model.ts';
import type { Db } from './queries.ts';

/** What every change to a case shares: its audit entry, its history wording and its checks. */

/** What the audit log keeps of a payload: itself when small, else its size and sha256. */
export function auditable(value: unknown): unknown {
  const text = JSON.stringify(value ?? null);
  return text.length <= 4096
    ? (value ?? null)
    : { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') };
}

/** A closed case takes no change but a reopen. */
export const CLOSED: readonly CaseStatus[] = ['resolved', 'replayed'];

/** The audit entry of one change to a case, in the transaction that makes it. */
export async function auditCaseChange(
  audit: AuditLog,
  tx: Db,
  who: Actor,
  action: string,
  caseId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await audit.append(
    {
      actor: who.actor,
      action: `exception.${action}`,
      target: `exception:${caseId}`,
      details,
      requestId: who.requestId ?? null,
    },
    tx,
  );
}

/** The history row's name for a change (`assign` is recorded as `assigned`). */
export const PAST: Record<string, string> = {
  assign: 'assigned',
  comment: 'commented',
  resolve: 'resolved',
  reopen: 'reopened',
  update: 'updated',
};

export function ownerUnknown(error: unknown): never {
  if ((error as { code?: string }).code === '23503') {
    throw new CrossdockError('EXCEPTION_OWNER_UNKNOWN', 'The owner user does not exist', {
      category: 'user',
      retryable: false,
      details: [{ path: 'userId', message: 'no user with this id' }],
    });
  }
  throw error;
}
