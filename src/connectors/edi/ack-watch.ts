/**
 * Our documents the partner did not get, and those whose 997 is late.
 *
 * Undeliverable: a document the dispatcher gave up on (`dead` after its attempts, `failed`
 * when the partner refused it) becomes the event `edi.document.undeliverable` (key: the
 * document and how many times it was resent), which the packs turn into a case offering
 * `resend`. The event is its own mark: a document whose current end has an event is not
 * reported again (see undeliverableUnreported).
 *
 * Late 997: once a sent document has waited longer than its partner's
 * `ack_window_hours`, the event `edi.ack.overdue` is accepted (key: the document), which the
 * packs turn into a case for the EDI coordinator. The event is accepted before the document is
 * marked, so a crash in between repeats the event, which its key makes a duplicate.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { EdiPartner } from './config.ts';
import type { InboundDeps } from './inbound.ts';
import {
  markAckOverdue,
  unacknowledgedBefore,
  undeliverableKey,
  undeliverableUnreported,
} from './store.ts';

const BATCH = 100;

export async function sweepOverdueAcks(deps: {
  db: Kysely<Database>;
  partners: readonly EdiPartner[];
  now: Date;
  accept: InboundDeps['accept'];
}): Promise<number> {
  let flagged = 0;
  for (const partner of deps.partners) {
    const cutoff = new Date(deps.now.getTime() - partner.ackWindowHours * 3_600_000);
    for (const doc of await unacknowledgedBefore(deps.db, partner.code, cutoff, BATCH)) {
      await deps.accept({
        source: `edi.${partner.code}`,
        type: 'edi.ack.overdue',
        key: `ack-overdue:${doc.id}`,
        payload: {
          partner: partner.code,
          partner_name: partner.name,
          document_id: doc.id,
          transaction_set: doc.transaction_set,
          reference: doc.reference,
          interchange_control: String(doc.interchange_control).padStart(9, '0'),
          group_control: doc.group_control,
          sent_at: doc.sent_at?.toISOString() ?? null,
          window_hours: partner.ackWindowHours,
        },
      });
      await markAckOverdue(deps.db, doc.id, deps.now);
      flagged++;
    }
  }
  return flagged;
}

export async function sweepUndeliverable(deps: {
  db: Kysely<Database>;
  partners: readonly EdiPartner[];
  accept: InboundDeps['accept'];
}): Promise<number> {
  let reported = 0;
  for (const partner of deps.partners) {
    for (const doc of await undeliverableUnreported(deps.db, partner.code, BATCH)) {
      const control = String(doc.interchange_control).padStart(9, '0');
      await deps.accept({
        source: `edi.${partner.code}`,
        type: 'edi.document.undeliverable',
        key: undeliverableKey(doc.id, doc.next_attempt_at),
        payload: {
          partner: partner.code,
          partner_name: partner.name,
          document_id: doc.id,
          transaction_set: doc.transaction_set,
          reference: doc.reference,
          interchange_control: control,
          group_control: doc.group_control === null ? null : String(doc.group_control),
          status: doc.status,
          attempts: doc.attempts,
          error_code: doc.last_error_code,
          error: doc.last_error,
        },
      });
      reported++;
    }
  }
  return reported;
}
