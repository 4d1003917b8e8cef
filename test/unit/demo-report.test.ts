import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReport, type DemoReport } from '../../src/demo/report.ts';

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
    edi: {
      interchanges: 3,
      rejected: 1,
      orders: 2,
      sent: { '997': 3, '855': 2, '856': 2, '810': 1 },
      acknowledged: 4,
      awaitingAck: 1,
      undelivered: 0,
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

describe('the demo report on EDI', () => {
  test("prints the EDI customer's interchanges, orders, documents sent and their acknowledgments", () => {
    assert.match(
      formatReport(report()),
      /edi {13}interchanges received 3 \(rejected 1\), orders 2; sent 997 3, 855 2, 856 2, 810 1; acknowledged by the partner 4, awaiting a 997 1, undelivered 0/,
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
