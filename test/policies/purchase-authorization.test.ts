import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { packPolicies } from './support.ts';

/** A need the scan would find: under the minimum, no open RFQ, a vendor line, a small amount. */
const BASE = { need: true, open_rfqs: 0, vendor_found: true, amount: 500 };

type Case = [
  name: string,
  overrides: Record<string, unknown>,
  action: string,
  chain: string,
  rule: string,
];

/** The policy's contract, boundaries first: each threshold exactly and just below. */
const CASES: Case[] = [
  ['a small need is a draft RFQ for the buyer', {}, 'draft', '', 'small'],
  ['just below 1000', { amount: 999.99 }, 'draft', '', 'small'],
  ['exactly 1000: the buyer authorizes', { amount: 1000 }, 'approve', 'buyer', 'buyer'],
  ['just below 5000', { amount: 4999.99 }, 'approve', 'buyer', 'buyer'],
  [
    'exactly 5000: buyer and procurement manager',
    { amount: 5000 },
    'approve',
    'buyer+manager',
    'manager',
  ],
  ['just below 25000', { amount: 24999.99 }, 'approve', 'buyer+manager', 'manager'],
  [
    'exactly 25000: finance signs last',
    { amount: 25000 },
    'approve',
    'buyer+manager+finance',
    'finance',
  ],
  [
    'no need: nothing to do, whatever the amount',
    { need: false, amount: 90000 },
    'skip',
    '',
    'no-need',
  ],
  ['an open RFQ covers the need', { open_rfqs: 1, amount: 90000 }, 'skip', '', 'covered'],
  [
    'an open RFQ wins over a missing vendor',
    { open_rfqs: 2, vendor_found: false },
    'skip',
    '',
    'covered',
  ],
  [
    'no vendor line: held for a person',
    { vendor_found: false, amount: null },
    'hold',
    '',
    'no-vendor',
  ],
  ['an amount that could not be worked out is held', { amount: null }, 'hold', '', 'no-amount'],
];

describe('purchase-authorization: the policy test table', () => {
  const policies = packPolicies();
  for (const [name, overrides, action, chain, rule] of CASES) {
    test(name, async () => {
      const outcome = await policies.decide('purchase-authorization', { ...BASE, ...overrides });
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
