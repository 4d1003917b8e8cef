import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport, settled, type DemoReport } from '../../src/demo/report.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore } from '../support/stores.ts';

/** A settled demo of 10 orders whose report is taken while 4 e-mails are still being sent. */
function report(workers?: DemoReport['workers']): DemoReport {
  return {
    orders: 10,
    release: {
      auto: 10,
      approved: 0,
      rejected: 0,
      held: 0,
      heldForStock: 0,
      failed: 0,
      missing: 0,
      duplicated: 0,
    },
    dispatch: {
      booked: 10,
      alreadyBooked: 0,
      approvalGated: 0,
      refused: 0,
      freight: 0,
      notReady: 0,
      failed: 0,
      missing: 0,
      duplicated: 0,
      fallbacksUsed: 0,
      doubleBooked: 0,
    },
    tracking: { delivered: 10, shipmentCases: 0 },
    invoicing: {
      released: 9,
      held: 1,
      noTouchShare: 0.9,
      deliveredToPostedS: { p50: 2, p99: 5, count: 9 },
    },
    replenishment: {
      needs: 5,
      drafts: 1,
      confirmed: 1,
      rejected: 0,
      waiting: 1,
      held: 0,
      covered: 2,
      noTouchShare: 1 / 3,
      problems: [],
    },
    bills: {
      entered: 4,
      postedOnMatch: 2,
      postedAfterApproval: 1,
      rejected: 1,
      held: 0,
      noTouchShare: 0.5,
      problems: [],
    },
    returns: {
      requested: 5,
      accepted: 4,
      refused: 1,
      reviewed: 1,
      credited: 3,
      scrappedUnits: 1,
      noTouchShare: 0.8,
    },
    supplierDelays: { found: 3, cases: 2, resolved: 1, escalated: 1 },
    inventory: {
      counts: { auto: 3, approved: 1, rejected: 1 },
      scraps: { auto: 2, approved: 1, rejected: 0 },
      noTouchShare: 5 / 8,
    },
    edi: {
      interchanges: 3,
      rejected: 1,
      orders: 2,
      sent: { '997': 3, '855': 2, '856': 2, '810': 1 },
      acknowledged: 4,
      awaitingAck: 1,
      undelivered: 0,
    },
    shop: {
      orders: 4,
      saleOrders: 3,
      unknownSku: 1,
      cancelled: 0,
      levels: 12,
      inSync: 12,
      due: 0,
      throttled: 2,
      calls: 9,
      shipBy: { orders: 4, urgent: 3, atRisk: 2, missed: 1 },
    },
    approvals: { approved: 0, rejected: 0, pending: 0 },
    exceptionsOpen: 0,
    emailsSent: 6,
    emailsInFlight: 4,
    latencyMs: { confirmedToBooked: { p50: 500, p99: 900, count: 10 } },
    throughput: { ordersPerSecond: 2 },
    accountedFor: true,
    problems: [],
    ...(workers ? { workers } : {}),
  };
}

describe('the demo report on invoicing', () => {
  test('prints invoices released and held, the share with no human touch and the delivered-to-posted time', () => {
    assert.match(
      formatReport(report()),
      /invoicing {7}released on proof of delivery 9, held for finance 1 \(no human touch: 90 %\); delivered -> invoice posted: p50 2 s, p99 5 s/,
    );
  });
});

describe('the demo report on order release', () => {
  test("prints the share of orders released with no one's approval", () => {
    assert.match(formatReport(report()), /order release {3}auto 10, .*\(no human touch: \d+ %\)/);
  });
});

describe('the demo report on replenishment', () => {
  test('prints what became of each need and the share of purchase orders created with no approval', () => {
    assert.match(
      formatReport(report()),
      /replenishment {3}needs 5: draft RFQs for the buyer 1, confirmed after authorization 1, authorization rejected 0, waiting 1, held 0, already covered 2 \(purchase orders with no approval: 33 %\)/,
    );
  });
});

describe('the demo report on vendor bills', () => {
  test('prints bills posted on a match and after approval, rejected and held, and the share with no human touch', () => {
    assert.match(
      formatReport(report()),
      /vendor bills {4}entered 4: posted on a clean match 2, posted after an approved variance 1, variance rejected 1, held 0 \(no human touch: 50 %\)/,
    );
  });
});

describe('the demo report on returns', () => {
  test('prints requests accepted and refused, credit notes, scrapped units and the share with no human touch', () => {
    assert.match(
      formatReport(report()),
      /returns {9}requested 5: accepted 4 \(finance reviewed 1\), refused 1; credit notes posted 3, units scrapped 1 \(no human touch: 80 %\)/,
    );
  });
});

describe('the demo report on supplier delays', () => {
  test('prints the late receipts found, their cases, those resolved when received and those escalated', () => {
    assert.match(
      formatReport(report()),
      /supplier delays late receipts found 3, cases 2, resolved when received 1, escalated 1/,
    );
  });
});

describe('the demo report on inventory', () => {
  test('prints counts and scraps applied at once, after two approvals and rejected, and the share with no human touch', () => {
    assert.match(
      formatReport(report()),
      /inventory {7}counts 3 at once, 1 after two approvals, 1 rejected; scraps 2 at once, 1 after two approvals, 0 rejected \(no human touch: 63 %\)/,
    );
  });
});

describe('the demo report on EDI', () => {
  test("prints the EDI customer's interchanges, orders, documents sent and their acknowledgments", () => {
    assert.match(
      formatReport(report()),
      /edi {13}interchanges received 3 \(rejected 1\), orders 2; sent 997 3, 855 2, 856 2, 810 1; acknowledged by the partner 4, awaiting a 997 1, undelivered 0/,
    );
  });
});

describe('the demo report on the shop', () => {
  test("prints the shop's orders, the sale orders made, and its stock levels in sync", () => {
    assert.match(
      formatReport(report()),
      /shop {12}orders received 4, sale orders made 3, unknown SKU 1, cancelled 0; stock levels 12 SKUs, in sync 12, due 0; inventory calls 9 \(answered 429 2\)/,
    );
  });
  test('prints how many shop orders had a ship-by, and how many were made urgent, flagged at risk or missed it', () => {
    assert.match(
      formatReport(report()),
      /inventory calls 9 \(answered 429 2\); with a ship-by 4 \(made urgent 3, at risk 2, missed 1\)$/m,
    );
  });
});

describe('the demo report on e-mails still in flight', () => {
  test('without killed workers it blames none', () => {
    const text = formatReport(report());
    assert.match(text, /in flight 4 \(being sent as the report was taken\)/);
    assert.doesNotMatch(text, /killed/);
  });

  test('a demo that killed workers names that as a possible cause', () => {
    const text = formatReport(report({ processes: 2, started: 5, killed: 3 }));
    assert.match(
      text,
      /in flight 4 \(being sent, or claimed by a worker that was killed: sent again when the claim expires\)/,
    );
  });
});

describe('a bounded demo is settled only when each order it placed has its release run', () => {
  const RELEASE = `
id: order-release
trigger: { event: sale.order.confirmed }
steps:
  - id: note
    type: transform
    with: { order: "= input.id" }
`;

  test('release runs of other orders (EDI, shop) do not stand in for a placed order still on its way', async () => {
    const t = await openTestStore();
    const engine = await engineWith(t.store, [RELEASE]);
    engine.startWorkers(1);
    try {
      // Order 1 was placed in Odoo; order 2 came from the EDI customer. Order 3 was placed too,
      // and its event has not arrived yet.
      for (const id of [1, 2]) {
        const { runIds } = await engine.accept({
          source: 'odoo',
          type: 'sale.order.confirmed',
          key: `so-${id}`,
          payload: { id },
        });
        await waitForRun(engine, runIds[0]!);
      }
      assert.equal(await settled(t.store.db, [1, 3]), false);
      assert.equal(await settled(t.store.db, [1]), true);
    } finally {
      await engine.stopWorkers();
      await t.dispose();
    }
  });
});
