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
    inventory: {
      counts: { auto: 3, approved: 1, rejected: 1 },
      scraps: { auto: 2, approved: 1, rejected: 0 },
      noTouchShare: 5 / 8,
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

describe('the demo report on inventory', () => {
  test('prints counts and scraps applied at once, after two approvals and rejected, and the share with no human touch', () => {
    assert.match(
      formatReport(report()),
      /inventory {7}counts 3 at once, 1 after two approvals, 1 rejected; scraps 2 at once, 1 after two approvals, 0 rejected \(no human touch: 63 %\)/,
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
