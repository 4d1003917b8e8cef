import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packPolicies } from './support.ts';

/** The vendor-bills pack's two tables, boundaries first: each threshold exactly and just below. */
describe('vendor-bill-tolerance: the tolerances a bill is matched with', () => {
  const policies = packPolicies();
  const cases: [
    name: string,
    amount: number,
    price: number,
    qty: number,
    value: number,
    rule: string,
  ][] = [
    ['an ordinary bill', 1_000, 2, 0, 50, 'default'],
    ['just below 25000', 24_999.99, 2, 0, 50, 'default'],
    ['exactly 25000: tighter price, larger allowance', 25_000, 1, 0, 250, 'large-bill'],
  ];
  for (const [name, amount, price, qty, value, rule] of cases) {
    test(name, async () => {
      const outcome = await policies.decide('vendor-bill-tolerance', {
        vendor: 'Wood Corner',
        amount_untaxed: amount,
      });
      assert.equal(outcome.kind, 'decided');
      if (outcome.kind !== 'decided') return;
      assert.deepEqual(
        {
          ...(outcome.decision as Record<string, unknown>),
          reason: undefined,
        },
        { price_pct: price, qty_units: qty, value_abs: value, reason: undefined },
      );
      assert.equal(outcome.matched[0]?.ruleId, rule);
    });
  }
});

describe('vendor-bill-match: what happens to a compared bill', () => {
  const policies = packPolicies();
  const BASE = { lines: 2, linked_lines: 2, matched: false, variance_value: 45 };
  const cases: [
    name: string,
    overrides: Record<string, unknown>,
    action: string,
    chain: string,
    rule: string,
  ][] = [
    ['matched: posted', { matched: true, variance_value: 5 }, 'post', '', 'matched'],
    ['a small variance: accounts payable', {}, 'approve', 'accounts-payable', 'variance-small'],
    [
      'just below 1000',
      { variance_value: 999.99 },
      'approve',
      'accounts-payable',
      'variance-small',
    ],
    [
      'exactly 1000: accounts payable and finance',
      { variance_value: 1000 },
      'approve',
      'accounts-payable+finance',
      'variance-medium',
    ],
    [
      'exactly 10000: the director signs last',
      { variance_value: 10_000 },
      'approve',
      'accounts-payable+finance+director',
      'variance-large',
    ],
    ['no product line: held', { lines: 0, linked_lines: 0 }, 'hold', '', 'no-lines'],
    [
      'no line on an order: held, even when nothing differs',
      { linked_lines: 0, matched: true },
      'hold',
      '',
      'no-order',
    ],
  ];
  for (const [name, overrides, action, chain, rule] of cases) {
    test(name, async () => {
      const outcome = await policies.decide('vendor-bill-match', { ...BASE, ...overrides });
      assert.equal(outcome.kind, 'decided');
      if (outcome.kind !== 'decided') return;
      const decision = outcome.decision as { action: string; chain: string; reason: string };
      assert.equal(decision.action, action);
      assert.equal(decision.chain, chain);
      assert.ok(decision.reason.length > 0);
      assert.equal(outcome.matched[0]?.ruleId, rule);
    });
  }
});
