import { AuditLog } from '../audit/index.ts';
import type { CaseEventSink } from '../store/index.ts';

/** The audit actions of what the engine does to cases, named as the queue's own (`exception.open`, `exception.resolve`). */
const ACTION = {
  opened: 'exception.open',
  failed_again: 'exception.failed_again',
  resolved: 'exception.resolve',
} as const;

/**
 * Audits the cases the engine opens (a run failed for good), reopens (a retried run failed
 * again) and resolves (a retried run completed), in the checkpoint transaction that does
 * it: the audit log shows every change of a case, not only those a person made.
 */
export function auditCaseEvents(now: () => Date): CaseEventSink {
  return async (tx, events) => {
    const audit = new AuditLog(tx, now);
    for (const e of events) {
      await audit.append(
        {
          actor: 'engine',
          action: ACTION[e.action],
          target: `exception:${e.caseId}`,
          details: { run: e.runId, ...e.details },
        },
        tx,
      );
    }
  };
}
