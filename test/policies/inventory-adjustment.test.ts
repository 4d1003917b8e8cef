import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packPolicies } from './support.ts';

type Case = [name: string, input: Record<string, unknown>, action: string, rule: string];

const count = (value: number, pct: number, qty = 1) => ({
  kind: 'count',
  variance_qty: qty,
  variance_value: value,
  variance_pct: pct,
  beyond_stock: false,
});
const scrap = (value: number, beyondStock = false) => ({
  kind: 'scrap',
  variance_qty: 1,
  variance_value: value,
  variance_pct: 0,
  beyond_stock: beyondStock,
});

/** The inventory-control pack's table, boundaries first: each threshold exactly and just below. */
const CASES: Case[] = [
  ['a count that matches the stock', count(0, 0, 0), 'auto', 'count-match'],
  ['a count within tolerance', count(499.99, 5), 'auto', 'count-tolerance'],
  ['a count variance of exactly 500: two approvers', count(500, 1), 'dual', 'count-value'],
  ['a count just above 5 %: two approvers', count(10, 5.01), 'dual', 'count-percent'],
  ['a count variance just below 5000: two approvers', count(4999.99, 50), 'dual', 'count-value'],
  [
    'a count variance of exactly 5000: two approvers with a second factor',
    count(5000, 1),
    'step-up',
    'count-step-up',
  ],
  ['a small scrap is done at once', scrap(249.99), 'auto', 'scrap-small'],
  ['a scrap of exactly 250: two approvers', scrap(250), 'dual', 'scrap-value'],
  ['a small scrap beyond the stock: two approvers', scrap(10, true), 'dual', 'scrap-beyond-stock'],
  ['a scrap just below 5000: two approvers', scrap(4999.99), 'dual', 'scrap-value'],
  [
    'a scrap of exactly 5000: two approvers with a second factor',
    scrap(5000),
    'step-up',
    'scrap-step-up',
  ],
  [
    'a large scrap beyond the stock needs the second factor too',
    scrap(90_000, true),
    'step-up',
    'scrap-step-up',
  ],
  ['anything else waits for two approvers', { kind: 'move' }, 'dual', 'unknown'],
];

describe('inventory-adjustment: the policy test table', () => {
  const policies = packPolicies();
  for (const [name, input, action, rule] of CASES) {
    test(name, async () => {
      const outcome = await policies.decide('inventory-adjustment', input);
      assert.equal(outcome.kind, 'decided');
      if (outcome.kind !== 'decided') return;
      const decision = outcome.decision as { action: string; reason: string };
      assert.equal(decision.action, action);
      assert.ok(decision.reason.length > 0);
      assert.equal(outcome.matched[0]?.ruleId, rule);
    });
  }
});
