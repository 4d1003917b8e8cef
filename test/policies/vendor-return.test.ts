import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packPolicies } from './support.ts';

/** A clean request: the receipt done, every line known and within what is left to return, small. */
const BASE = { receipt_done: true, unknown_lines: 0, over_quantity_lines: 0, return_value: 100 };

type Case = [
  name: string,
  overrides: Record<string, unknown>,
  action: string,
  review: string,
  postRefund: boolean,
  rule: string,
];

/** The policy's contract, boundaries first: each threshold exactly and just beside it. */
const CASES: Case[] = [
  ['a small return goes through, its refund posted', {}, 'return', 'none', true, 'auto'],
  [
    'the receipt not done: refused',
    { receipt_done: false },
    'refuse',
    'none',
    false,
    'receipt-not-done',
  ],
  [
    'a product not received: refused',
    { unknown_lines: 1 },
    'refuse',
    'none',
    false,
    'unknown-lines',
  ],
  [
    'more than left to return: refused',
    { over_quantity_lines: 1 },
    'refuse',
    'none',
    false,
    'over-quantity',
  ],
  [
    'refused for the quantity even when large',
    { over_quantity_lines: 1, return_value: 5000 },
    'refuse',
    'none',
    false,
    'over-quantity',
  ],
  ['just below 250: posted', { return_value: 249.99 }, 'return', 'none', true, 'auto'],
  [
    'exactly 250: the refund waits in draft',
    { return_value: 250 },
    'return',
    'none',
    false,
    'draft-refund',
  ],
  [
    'just below 1000: no approval',
    { return_value: 999.99 },
    'return',
    'none',
    false,
    'draft-refund',
  ],
  [
    'exactly 1000: a purchasing manager approves',
    { return_value: 1000 },
    'return',
    'procurement-manager',
    false,
    'manager',
  ],
];

describe('vendor-return: the policy test table', () => {
  const policies = packPolicies();
  for (const [name, overrides, action, review, postRefund, rule] of CASES) {
    test(name, async () => {
      const outcome = await policies.decide('vendor-return', { ...BASE, ...overrides });
      assert.equal(outcome.kind, 'decided');
      if (outcome.kind !== 'decided') return;
      const decision = outcome.decision as {
        action: string;
        review: string;
        post_refund: boolean;
        reason: string;
        team: string;
      };
      assert.equal(decision.action, action);
      assert.equal(decision.review, review);
      assert.equal(decision.post_refund, postRefund);
      assert.ok(decision.reason.length > 0);
      if (action === 'refuse') assert.equal(decision.team, 'purchasing');
      assert.equal(outcome.matched[0]?.ruleId, rule);
    });
  }
});
