import { z } from 'zod';

import { FindingType } from '../store/index.ts';

export { FINDING_TYPES, FindingType } from '../store/index.ts';

/** Odoo values as read: many2one `[id, name]` or false, strings or false. */
const many2one = z.union([z.tuple([z.int(), z.string()]), z.literal(false)]);
const odooText = z.union([z.string(), z.literal(false)]);
const id = z.int().positive();
/** A list of records; JSONata gives one record alone and none as nothing, so both are taken as lists. */
const records = <T extends z.ZodType>(record: T) =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(record));

export const SweepCandidates = z.strictObject({
  /** Confirmed sale orders (state sale) confirmed in the window. */
  orders: records(z.looseObject({ id, name: z.string(), date_order: odooText })),
  /** Open outgoing deliveries in state assigned (Ready), of a sale order. */
  ready_deliveries: records(
    z.looseObject({
      id,
      name: z.string(),
      sale_id: many2one,
      products_availability_state: odooText.optional(),
    }),
  ),
  /** Outgoing deliveries of a sale order done in the window. */
  done_deliveries: records(
    z.looseObject({
      id,
      name: z.string(),
      sale_id: many2one,
      carrier_tracking_ref: odooText,
      date_done: odooText,
    }),
  ),
  /** Confirmed purchase orders whose planned date fell in the window, nothing received. */
  late_purchases: records(
    z.looseObject({ id, name: z.string(), date_planned: odooText, partner_id: many2one }),
  ),
  /** Confirmed sale orders with something to invoice, among the done deliveries' orders. */
  uninvoiced_orders: records(z.looseObject({ id, name: z.string(), invoice_status: z.string() })),
});
export type SweepCandidates = z.output<typeof SweepCandidates>;

/** One fall-through: the Odoo record, why it is one, and its key (the same on every sweep). */
export interface Finding {
  type: FindingType;
  model: string;
  id: number;
  name: string;
  detail: string;
  key: string;
  /** The sale order it concerns, where there is one. */
  orderId?: number;
  /** unreleased-order: the order's confirmation date (part of the release request's key). */
  dateOrder?: string;
  /** held-order-ready: the held order-release run and its open stock-hold case. */
  held?: { runId: string; caseId: string };
}

/** What the store says about the candidates' orders. */
export interface CrossdockSide {
  /** `sale.order:<id>` keys that an order-release run has held. */
  releaseKeys: Set<string>;
  /** `dispatch:<order id>` keys that a dispatch run has held. */
  dispatchKeys: Set<string>;
  /** Waiting order-release runs on an open stock-hold case, by their key. */
  heldByKey: Map<string, { runId: string; caseId: string }>;
}

export const releaseKey = (orderId: number) => `sale.order:${orderId}`;
export const dispatchKey = (orderId: number) => `dispatch:${orderId}`;
const findingKey = (type: FindingType, model: string, ...parts: (string | number)[]) =>
  ['reconcile', type, model, ...parts].join(':');

/** The candidates' orders whose runs the store is asked about. */
export function ordersOf(c: SweepCandidates): { release: number[]; dispatch: number[] } {
  const orderOf = (d: { sale_id: [number, string] | false }) => (d.sale_id ? d.sale_id[0] : null);
  const present = (v: number | null): v is number => v !== null;
  return {
    release: [...c.orders.map((o) => o.id), ...c.ready_deliveries.map(orderOf).filter(present)],
    dispatch: c.done_deliveries.map(orderOf).filter(present),
  };
}

/**
 * The findings, in the order of the types above. One record gives at most one finding: a
 * delivery done without being dispatched is reported as that, not also as not invoiced
 * (its case is where both are worked out).
 */
export function classify(c: SweepCandidates, side: CrossdockSide): Finding[] {
  const findings: Finding[] = [];
  for (const o of c.orders) {
    if (side.releaseKeys.has(releaseKey(o.id))) continue;
    const dateOrder = o.date_order || '';
    findings.push({
      type: FindingType.unreleasedOrder,
      model: 'sale.order',
      id: o.id,
      name: o.name,
      detail: `confirmed ${dateOrder || 'at an unknown time'}, no release decision`,
      key: findingKey(FindingType.unreleasedOrder, 'sale.order', o.id, dateOrder),
      orderId: o.id,
      dateOrder,
    });
  }
  for (const d of c.ready_deliveries) {
    if (!d.sale_id) continue;
    if (
      d.products_availability_state !== undefined &&
      d.products_availability_state !== 'available'
    )
      continue;
    const held = side.heldByKey.get(releaseKey(d.sale_id[0]));
    if (!held) continue;
    findings.push({
      type: FindingType.heldOrderReady,
      model: 'stock.picking',
      id: d.id,
      name: d.name,
      detail: `${d.sale_id[1]} held for stock (case ${held.caseId}), its delivery is Ready`,
      key: findingKey(FindingType.heldOrderReady, 'stock.picking', d.id, `case${held.caseId}`),
      orderId: d.sale_id[0],
      held,
    });
  }
  const notDispatched = new Set<number>();
  for (const d of c.done_deliveries) {
    if (!d.sale_id) continue;
    const tracked = typeof d.carrier_tracking_ref === 'string' && d.carrier_tracking_ref !== '';
    const dispatched = side.dispatchKeys.has(dispatchKey(d.sale_id[0]));
    if (tracked && dispatched) continue;
    notDispatched.add(d.sale_id[0]);
    const missing = [
      tracked ? null : 'no tracking reference',
      dispatched ? null : 'no dispatch run',
    ]
      .filter(Boolean)
      .join(' and ');
    findings.push({
      type: FindingType.deliveryNotDispatched,
      model: 'stock.picking',
      id: d.id,
      name: d.name,
      detail: `${d.sale_id[1]} delivered${d.date_done ? ` ${d.date_done}` : ''} with ${missing}`,
      key: findingKey(FindingType.deliveryNotDispatched, 'stock.picking', d.id),
      orderId: d.sale_id[0],
    });
  }
  for (const p of c.late_purchases) {
    findings.push({
      type: FindingType.receiptOverdue,
      model: 'purchase.order',
      id: p.id,
      name: p.name,
      detail: `planned ${p.date_planned || '?'}${p.partner_id ? ` from ${p.partner_id[1]}` : ''}, nothing received`,
      key: findingKey(FindingType.receiptOverdue, 'purchase.order', p.id, p.date_planned || ''),
    });
  }
  for (const o of c.uninvoiced_orders) {
    if (o.invoice_status !== 'to invoice' || notDispatched.has(o.id)) continue;
    findings.push({
      type: FindingType.deliveryNotInvoiced,
      model: 'sale.order',
      id: o.id,
      name: o.name,
      detail: 'delivered, not invoiced',
      key: findingKey(FindingType.deliveryNotInvoiced, 'sale.order', o.id),
      orderId: o.id,
    });
  }
  return findings;
}
