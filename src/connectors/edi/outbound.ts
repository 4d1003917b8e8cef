/**
 * Queues a document for a partner: one interchange holding one group holding one transaction
 * set (or, for a TA1, the interchange alone), with the partner's next ISA13 and GS06 taken in
 * the transaction that stores it. Queued once per dedupe key: a repeat (a retried step, a
 * duplicate interchange) answers the first document and takes no number.
 */
import type { Kysely } from 'kysely';
import { FUNCTIONAL_IDS, writeInterchange, type SegmentData } from '../../edi/index.ts';
import type { Database } from '../../store/index.ts';
import type { EdiPartner } from './config.ts';
import { documentByKey, insertDocument, takeControlNumber } from './store.ts';

export interface DocumentToSend {
  dedupeKey: string;
  /** 997, 855, 856, 810, or TA1 (an interchange acknowledgment alone). */
  transactionSet: string;
  reference: string | null;
  /** The set's body (ST and SE are added); for a TA1, the TA1 segment. */
  segments: SegmentData[];
}

export interface QueuedDocument {
  id: string;
  duplicate: boolean;
  interchangeControl: number;
  groupControl: number | null;
}

/** Rolls back a transaction whose document turned out to be queued already. */
class AlreadyQueued extends Error {}

export async function queueDocument(
  db: Kysely<Database>,
  partner: EdiPartner,
  doc: DocumentToSend,
  now: Date,
): Promise<QueuedDocument> {
  const existing = async (): Promise<QueuedDocument> => {
    const row = (await documentByKey(db, doc.dedupeKey))!;
    return {
      id: String(row.id),
      duplicate: true,
      interchangeControl: Number(row.interchange_control),
      groupControl: row.group_control === null ? null : Number(row.group_control),
    };
  };
  if (await documentByKey(db, doc.dedupeKey)) return existing();
  try {
    return await db.transaction().execute(async (tx) => {
      const start = partner.controlNumberStart;
      const interchange = await takeControlNumber(tx, partner.code, 'interchange', start, now);
      const isTa1 = doc.transactionSet === 'TA1';
      const group = isTa1 ? null : await takeControlNumber(tx, partner.code, 'group', start, now);
      const body = writeInterchange({
        sender: partner.ourIsa,
        receiver: partner.partnerIsa,
        control: interchange,
        version: partner.version,
        usage: partner.usage,
        ackRequested: false,
        at: now,
        delimiters: partner.delimiters,
        ...(isTa1 ? { interchangeSegments: doc.segments } : {}),
        groups:
          group === null
            ? []
            : [
                {
                  functionalId: FUNCTIONAL_IDS[doc.transactionSet] ?? 'ZZ',
                  sender: partner.ourGs,
                  receiver: partner.partnerGs,
                  control: group,
                  transactions: [
                    { id: doc.transactionSet, control: '0001', segments: doc.segments },
                  ],
                },
              ],
      });
      const id = await insertDocument(tx, {
        partner: partner.code,
        dedupeKey: doc.dedupeKey,
        transactionSet: doc.transactionSet,
        reference: doc.reference,
        interchangeControl: interchange,
        groupControl: group,
        body,
        // Acknowledgments are not acknowledged in turn.
        ackExpected: !isTa1 && doc.transactionSet !== '997',
        now,
      });
      if (id === null) throw new AlreadyQueued();
      return { id, duplicate: false, interchangeControl: interchange, groupControl: group };
    });
  } catch (error) {
    if (error instanceof AlreadyQueued) return existing();
    throw error;
  }
}
