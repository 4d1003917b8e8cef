/**
 * What a partner's interchange does, once its signature is verified: read it (separators
 * from its ISA), check it is addressed from this partner to us, read each transaction set
 * (850 orders, 860 order changes; 997 acknowledgments of our documents), and then
 *  - store it once per (partner, sender, ISA13): a repeat is a duplicate;
 *  - queue a 997 per functional group of documents (accepted, or rejected with AK3/AK4 naming
 *    each segment and element at fault) and a TA1 when one is asked; an interchange whose
 *    envelope is wrong gets a TA1 that rejects it, and nothing else is done with it;
 *  - mark our documents a 997 acknowledges;
 *  - accept one event per set: `edi.purchase_order` for an accepted 850,
 *    `edi.purchase_order_change` for an accepted 860, `edi.document.rejected`
 *    for a rejected set, group or envelope (its `level` says which).
 * Every effect is idempotent (the 997 by its dedupe key, the events by their keys, the
 * acknowledgments by the group they name), so a duplicate interchange redoes them harmlessly:
 * whatever a crash interrupted the first time is completed, and nothing happens twice.
 */
import type { Kysely } from 'kysely';
import {
  acknowledge,
  parseInterchange,
  read850,
  read860,
  read997,
  ta1,
  write997,
  x12Error,
  X12_VERSIONS,
  type GroupAck,
  type Interchange,
  type PurchaseOrder,
  type PurchaseOrderChange,
  type X12Error,
} from '../../edi/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import type { Database } from '../../store/index.ts';
import type { EdiPartner } from './config.ts';
import { changeEventPayload, errorList, orderEventPayload } from './mapping.ts';
import { queueDocument } from './outbound.ts';
import { recordAcknowledgment, recordInterchange, type AckOutcome } from './store.ts';
import type { MappedEvent } from '../../triggers/index.ts';

export interface InboundDeps {
  db: Kysely<Database>;
  now(): Date;
  accept(event: MappedEvent): Promise<{ duplicate: boolean }>;
  /** Tells the dispatcher there are documents to send. */
  queued(): void;
}

export interface ReceiveOutcome {
  interchange: string;
  duplicate: boolean;
  status: 'accepted' | 'partial' | 'rejected';
  orders: string[];
  /** The PO numbers an 860 in it changes. */
  changes: string[];
  rejected: { location: string; message: string }[];
  /** The 997 / TA1 documents queued in reply. */
  replies: { id: string; transactionSet: string }[];
  /** Our documents a 997 in this interchange acknowledged. */
  acknowledged: { document: string; transactionSet: string; status: AckOutcome }[];
}

interface ReadSets {
  orders: { po: PurchaseOrder; group: string; set: string; version: string }[];
  changes: { change: PurchaseOrderChange; group: string; set: string; version: string }[];
  acks: GroupAck[];
  errors: X12Error[];
}

function checkAddress(partner: EdiPartner, x: Interchange): void {
  const h = x.header;
  const problems: string[] = [];
  const from = `${h.senderQualifier}:${h.senderId}`;
  const to = `${h.receiverQualifier}:${h.receiverId}`;
  if (from !== `${partner.partnerIsa.qualifier}:${partner.partnerIsa.id}`)
    problems.push(
      `ISA05/06 is ${from}, the partner is ${partner.partnerIsa.qualifier}:${partner.partnerIsa.id}`,
    );
  if (to !== `${partner.ourIsa.qualifier}:${partner.ourIsa.id}`)
    problems.push(`ISA07/08 is ${to}, we are ${partner.ourIsa.qualifier}:${partner.ourIsa.id}`);
  if (h.usage !== partner.usage)
    problems.push(
      `ISA15 is ${h.usage}, the partner is configured for ${partner.usage === 'T' ? 'test (T)' : 'production (P)'}`,
    );
  if (problems.length > 0)
    throw new CrossdockError(
      'EDI_INTERCHANGE_MISADDRESSED',
      `Interchange ${h.control} is not addressed from ${partner.code} to us: ${problems.join('; ')}`,
      {
        category: 'user',
        retryable: false,
        details: problems.map((message) => ({ path: 'ISA', message })),
      },
    );
}

function readSets(x: Interchange, envelopeErrors: X12Error[]): ReadSets {
  const out: ReadSets = { orders: [], changes: [], acks: [], errors: [...envelopeErrors] };
  for (const group of x.groups) {
    // GS08 may carry an industry suffix (004010VICS, 005010UCS).
    if (!X12_VERSIONS.some((v) => group.version.startsWith(v)))
      out.errors.push(
        x12Error({
          level: 'group',
          message: `GS08 "${group.version}" is not a version we read (${X12_VERSIONS.join(', ')})`,
          segment: 'GS',
          segmentIndex: group.gs.index,
          element: 8,
          groupCode: '2',
          groupControl: group.control,
        }),
      );
    for (const set of group.transactions) {
      if (set.id === '997' && group.functionalId === 'FA') {
        const ack = read997(set);
        if (ack) out.acks.push(ack);
      } else if (set.id === '850' && group.functionalId === 'PO') {
        const read = read850(group, set);
        if (read.ok)
          out.orders.push({
            po: read.document,
            group: group.control,
            set: set.control,
            version: group.version,
          });
        else out.errors.push(...read.errors);
      } else if (set.id === '860' && group.functionalId === 'PC') {
        const read = read860(group, set);
        if (read.ok)
          out.changes.push({
            change: read.document,
            group: group.control,
            set: set.control,
            version: group.version,
          });
        else out.errors.push(...read.errors);
      } else
        out.errors.push(
          x12Error({
            level: 'transaction',
            message: `transaction set ${set.id} in a ${group.functionalId} group is not one we accept (850 in PO, 860 in PC, 997 in FA)`,
            segment: 'ST',
            segmentIndex: set.st.index,
            positionInSet: 1,
            element: 1,
            elementCode: '7',
            badValue: set.id,
            setCode: '1',
            groupControl: group.control,
            setControl: set.control,
          }),
        );
    }
  }
  return out;
}

const ACK_OUTCOME: Record<string, AckOutcome> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  P: 'accepted_with_errors',
};

export async function receiveInterchange(
  deps: InboundDeps,
  partner: EdiPartner,
  body: string,
): Promise<ReceiveOutcome> {
  const { interchange: x, errors: envelopeErrors } = parseInterchange(body);
  checkAddress(partner, x);
  const read = readSets(x, envelopeErrors);
  const isa13 = x.header.control;
  // A wrong envelope rejects the whole interchange (TA1 R): nothing in it is acted on or
  // acknowledged by a 997; the partner corrects it and sends it again under a new ISA13.
  const envelopeWrong = read.errors.some((e) => e.level === 'interchange');
  if (envelopeWrong) {
    read.orders = [];
    read.changes = [];
    read.acks = [];
    read.errors = read.errors.filter((e) => e.level === 'interchange');
  }
  const documentGroups = x.groups.filter((g) => g.functionalId !== 'FA');
  const groupAcks = acknowledge({ ...x, groups: documentGroups }, read.errors);
  const setsTotal = documentGroups.reduce((n, g) => n + g.transactions.length, 0);
  const taken = read.orders.length + read.changes.length;
  const status: ReceiveOutcome['status'] =
    envelopeWrong || (setsTotal > 0 && taken === 0)
      ? 'rejected'
      : taken < setsTotal
        ? 'partial'
        : 'accepted';
  const now = deps.now();
  const stored = await deps.db.transaction().execute((tx) =>
    recordInterchange(tx, {
      partner: partner.code,
      sender: `${x.header.senderQualifier}:${x.header.senderId}`,
      control: isa13,
      body,
      status,
      summary: {
        groups: x.groups.map((g) => ({
          id: g.functionalId,
          control: g.control,
          sets: g.transactions.map((t) => `${t.id}:${t.control}`),
        })),
        errors: errorList(read.errors),
      },
      receivedAt: now,
    }),
  );
  const replies: ReceiveOutcome['replies'] = [];
  if (envelopeWrong || x.header.ackRequested) {
    const doc = await queueDocument(
      deps.db,
      partner,
      {
        dedupeKey: `TA1:${partner.code}:${isa13}`,
        transactionSet: 'TA1',
        reference: `interchange ${isa13}`,
        segments: [ta1(x, read.errors)],
      },
      now,
    );
    replies.push({ id: doc.id, transactionSet: 'TA1' });
  }
  for (const [i, group] of (envelopeWrong ? [] : documentGroups).entries()) {
    const doc = await queueDocument(
      deps.db,
      partner,
      {
        dedupeKey: `997:${partner.code}:${isa13}:${group.control}`,
        transactionSet: '997',
        reference: `group ${group.control} of interchange ${isa13}`,
        segments: write997(group, groupAcks[i]!, read.errors, partner.version),
      },
      now,
    );
    replies.push({ id: doc.id, transactionSet: '997' });
  }
  if (replies.length > 0) deps.queued();
  const acknowledged: ReceiveOutcome['acknowledged'] = [];
  for (const ack of read.acks) {
    const outcome = ACK_OUTCOME[ack.status] ?? 'rejected';
    const matched = /^\d{1,9}$/.test(ack.groupControl)
      ? await recordAcknowledgment(
          deps.db,
          partner.code,
          Number(ack.groupControl),
          outcome,
          ack,
          stored.id,
          now,
        )
      : null;
    if (matched)
      acknowledged.push({
        document: matched.id,
        transactionSet: matched.transactionSet,
        status: outcome,
      });
  }
  await acceptEvents(deps, partner, x, read);
  return {
    interchange: isa13,
    duplicate: stored.duplicate,
    status,
    orders: read.orders.map((o) => o.po.poNumber),
    changes: read.changes.map((c) => c.change.poNumber),
    rejected: errorList(read.errors).map((e) => ({
      location: String(e.location),
      message: String(e.message),
    })),
    replies,
    acknowledged,
  };
}

/**
 * One event per set, keyed by ISA13, GS06 and ST02, under the source edi.<partner>: an order
 * for each accepted 850, a rejection for each set, group or envelope at fault.
 */
async function acceptEvents(
  deps: InboundDeps,
  partner: EdiPartner,
  x: Interchange,
  read: ReadSets,
): Promise<void> {
  const source = `edi.${partner.code}`;
  const isa13 = x.header.control;
  for (const order of read.orders) {
    await deps.accept({
      source,
      type: 'edi.purchase_order',
      key: `${isa13}:${order.group}:${order.set}`,
      payload: orderEventPayload(partner, order.po, {
        interchange: isa13,
        group: order.group,
        set: order.set,
        version: order.version,
      }),
    });
  }
  for (const c of read.changes) {
    await deps.accept({
      source,
      type: 'edi.purchase_order_change',
      key: `${isa13}:${c.group}:${c.set}`,
      payload: changeEventPayload(partner, c.change, {
        interchange: isa13,
        group: c.group,
        set: c.set,
        version: c.version,
      }),
    });
  }
  const bySet = new Map<string, X12Error[]>();
  for (const e of read.errors) {
    const key = `${e.groupControl ?? ''}:${e.setControl ?? ''}`;
    bySet.set(key, [...(bySet.get(key) ?? []), e]);
  }
  for (const [key, errors] of bySet) {
    const [group, set] = key.split(':');
    const first = errors[0]!;
    await deps.accept({
      source,
      type: 'edi.document.rejected',
      key: `${isa13}:${key}`,
      payload: {
        partner: partner.code,
        partner_name: partner.name,
        interchange: isa13,
        group: group || null,
        set: set || null,
        level: first.level,
        errors: errorList(errors),
      },
    });
  }
}
