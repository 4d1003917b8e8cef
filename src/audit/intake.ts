import type { IntakeAuditSink } from '../store/index.ts';
import { INTAKE_ACTION, type CoveredEvent } from './intake-check.ts';
import { AuditLog } from './log.ts';

/** Who sent an event, when a person or token did (the API); else the door it came through. */
export interface EventSender {
  actor: string;
  requestId: string | null;
}

/**
 * One chain entry per intake batch, appended in the intake transaction (the events and their
 * entry commit together or not at all). It lists every event of the batch by id with its
 * payload hash, so `verify` finds a stored event that was later changed or removed. The
 * batch takes the audit head's lock once, not once per event: in the intake's own statement
 * when it gives the head it read.
 */
export function auditIntake(
  now: () => Date,
  senderOf: (index: number) => EventSender,
): IntakeAuditSink {
  return async (tx, records, head) => {
    if (records.length === 0) return;
    const events: CoveredEvent[] = records.map((r) => {
      const sender = senderOf(r.index);
      return {
        id: r.eventId,
        source: r.source,
        type: r.type,
        key: r.dedupeKey,
        payloadHash: r.payloadHash,
        receivedAt: r.receivedAt.toISOString(),
        outcome: r.outcome,
        runs: r.runIds,
        by: sender.actor,
        requestId: sender.requestId,
      };
    });
    const single = events.length === 1 ? events[0]! : null;
    await new AuditLog(tx, now).append(
      {
        actor: single?.by ?? 'engine',
        action: INTAKE_ACTION,
        target: single ? `event:${single.id}` : null,
        details: { events },
        requestId: single?.requestId ?? null,
      },
      tx,
      head,
    );
  };
}
