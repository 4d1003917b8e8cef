import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packPolicies } from './support.ts';

/** A clean request: delivered yesterday, every line known and within what was delivered, invoiced, small. */
const BASE = {
  delivered: true,
  days_since_delivery: 1,
  unknown_lines: 0,
  over_quantity_lines: 0,
  invoiced: true,
  refund_amount: 100,
  above_order_value: false,
  recent_refunds: 0,
};

type Case = [
  name: string,
  overrides: Record<string, unknown>,
  action: string,
  review: string,
  rule: string,
];

/** The policy's contract, boundaries first: each threshold exactly and just beside it. */
const CASES: Case[] = [
  ['a clean small refund goes through with no human touch', {}, 'accept', 'none', 'auto'],
  [
    'not delivered: refused',
    { delivered: false, days_since_delivery: null },
    'refuse',
    'none',
    'not-delivered',
  ],
  ['day 30 is still within the window', { days_since_delivery: 30 }, 'accept', 'none', 'auto'],
  ['day 31 is outside the window', { days_since_delivery: 31 }, 'refuse', 'none', 'outside-window'],
  ['a product not delivered: refused', { unknown_lines: 1 }, 'refuse', 'none', 'unknown-product'],
  ['more than delivered: refused', { over_quantity_lines: 1 }, 'refuse', 'none', 'over-quantity'],
  [
    'outside the window wins over a quantity',
    { days_since_delivery: 45, over_quantity_lines: 1 },
    'refuse',
    'none',
    'outside-window',
  ],
  [
    'no posted invoice: refused, for finance',
    { invoiced: false },
    'refuse',
    'none',
    'not-invoiced',
  ],
  ['just below 250', { refund_amount: 249.99 }, 'accept', 'none', 'auto'],
  ['exactly 250: finance reviews', { refund_amount: 250 }, 'accept', 'finance', 'above-policy'],
  ['just below 1000', { refund_amount: 999.99 }, 'accept', 'finance', 'above-policy'],
  ['exactly 1000: two approvers', { refund_amount: 1000 }, 'accept', 'dual', 'dual'],
  ['one earlier refund is no signal', { recent_refunds: 1 }, 'accept', 'none', 'auto'],
  [
    'two earlier refunds within 30 days: finance reviews',
    { recent_refunds: 2 },
    'accept',
    'finance',
    'frequent',
  ],
  [
    "above the order's value: finance reviews",
    { above_order_value: true },
    'accept',
    'finance',
    'over-value',
  ],
  [
    'a large refund with a fraud signal still needs two approvers',
    { refund_amount: 4999.99, above_order_value: true },
    'accept',
    'dual',
    'dual',
  ],
  [
    'exactly 5000: two approvers, each with a second factor',
    { refund_amount: 5000 },
    'accept',
    'dual-step-up',
    'dual-step-up',
  ],
  [
    'a very large refund with a fraud signal still needs the second factor',
    { refund_amount: 12000, recent_refunds: 3 },
    'accept',
    'dual-step-up',
    'dual-step-up',
  ],
];

describe('return-refund: the policy test table', () => {
  const policies = packPolicies();
  for (const [name, overrides, action, review, rule] of CASES) {
    test(name, async () => {
      const outcome = await policies.decide('return-refund', { ...BASE, ...overrides });
      assert.equal(outcome.kind, 'decided');
      if (outcome.kind !== 'decided') return;
      const decision = outcome.decision as { action: string; review: string; reason: string };
      assert.equal(decision.action, action);
      assert.equal(decision.review, review);
      assert.ok(decision.reason.length > 0);
      assert.equal(outcome.matched[0]?.ruleId, rule);
    });
  }
});
