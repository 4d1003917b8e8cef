import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, SweepCandidates } from '../../src/operations/reconcile-findings.ts';

/** The sweep's comparison on its own: which Odoo records are fall-throughs, and their keys. */
const none = {
  releaseKeys: new Set<string>(),
  dispatchKeys: new Set<string>(),
  heldByKey: new Map<string, { runId: string; caseId: string }>(),
};
const lists = (c: Partial<Record<keyof typeof SweepCandidates.shape, unknown>>) =>
  SweepCandidates.parse({
    orders: [],
    ready_deliveries: [],
    done_deliveries: [],
    late_purchases: [],
    uninvoiced_orders: [],
    ...c,
  });

test('JSONata gives one record alone and none as nothing: both are read as lists', () => {
  const c = SweepCandidates.parse({
    orders: { id: 7, name: 'S00007', date_order: '2026-01-05 08:00:00' },
    ready_deliveries: undefined,
    done_deliveries: [],
    late_purchases: [],
    uninvoiced_orders: [],
  });
  assert.equal(c.orders.length, 1);
  assert.deepEqual(c.ready_deliveries, []);
});

test('an order with a release run, a delivery not fully available or of an order not held, is no finding', () => {
  const c = lists({
    orders: [{ id: 7, name: 'S00007', date_order: '2026-01-05 08:00:00' }],
    ready_deliveries: [
      { id: 30, name: 'WH/OUT/00030', sale_id: [8, 'S00008'], products_availability_state: 'late' },
      {
        id: 31,
        name: 'WH/OUT/00031',
        sale_id: [9, 'S00009'],
        products_availability_state: 'available',
      },
    ],
  });
  const side = {
    ...none,
    releaseKeys: new Set(['sale.order:7']),
    heldByKey: new Map([['sale.order:8', { runId: '5', caseId: '2' }]]),
  };
  assert.deepEqual(classify(c, side), []);
});

test('a delivery done undispatched is one finding, not also "not invoiced"; keys name the record and its version', () => {
  const c = lists({
    done_deliveries: [
      {
        id: 40,
        name: 'WH/OUT/00040',
        sale_id: [10, 'S00010'],
        carrier_tracking_ref: false,
        date_done: '2026-01-05 09:00:00',
      },
      {
        id: 41,
        name: 'WH/OUT/00041',
        sale_id: [11, 'S00011'],
        carrier_tracking_ref: 'SP-1',
        date_done: false,
      },
    ],
    late_purchases: [
      { id: 3, name: 'P00003', date_planned: '2026-01-04 12:00:00', partner_id: [9, 'Vendor'] },
    ],
    uninvoiced_orders: [
      { id: 10, name: 'S00010', invoice_status: 'to invoice' },
      { id: 11, name: 'S00011', invoice_status: 'to invoice' },
    ],
  });
  const found = classify(c, { ...none, dispatchKeys: new Set(['dispatch:10', 'dispatch:11']) });
  assert.deepEqual(
    found.map((f) => [f.type, f.id, f.key, f.detail]),
    [
      [
        'delivery-not-dispatched',
        40,
        'reconcile:delivery-not-dispatched:stock.picking:40',
        'S00010 delivered 2026-01-05 09:00:00 with no tracking reference',
      ],
      [
        'receipt-overdue',
        3,
        'reconcile:receipt-overdue:purchase.order:3:2026-01-04 12:00:00',
        'planned 2026-01-04 12:00:00 from Vendor, nothing received',
      ],
      [
        'delivery-not-invoiced',
        11,
        'reconcile:delivery-not-invoiced:sale.order:11',
        'delivered, not invoiced',
      ],
    ],
  );
});
