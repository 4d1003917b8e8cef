import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import type { PolicyRegistry } from '../../src/policies/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { packPolicies, policyEngine } from './support.ts';

/** A standard order: class A, small, good margin, credit fine, nothing overdue. */
const BASE = {
  customer_class: 'A',
  amount_total: 500,
  margin_pct: 30,
  credit_ok: true,
  overdue_amount: 0,
  route_risk: 'normal',
  product_category: 'general',
};

/** `bulk`: the decision's bulk_approve, whether identical requests may be approved together. */
type Case = [
  name: string,
  overrides: Record<string, unknown>,
  tier: string,
  reason: string,
  bulk: boolean,
];

const AUTO = 'within policy';
const MANAGER_AMOUNT = 'order total of 10000 or more';
const FINANCE_AMOUNT = 'order total of 50000 or more';

/** The policy's contract, boundaries first: each threshold exactly, just below and just above. */
const CASES: Case[] = [
  ['a standard order is released', {}, 'auto', AUTO, false],
  ['just below the manager threshold', { amount_total: 9999.99 }, 'auto', AUTO, false],
  ['exactly at the manager threshold', { amount_total: 10000 }, 'manager', MANAGER_AMOUNT, true],
  ['just above the manager threshold', { amount_total: 10000.01 }, 'manager', MANAGER_AMOUNT, true],
  [
    'class B uses the same threshold',
    { customer_class: 'B', amount_total: 10000 },
    'manager',
    MANAGER_AMOUNT,
    true,
  ],
  ['just below the finance threshold', { amount_total: 49999.99 }, 'manager', MANAGER_AMOUNT, true],
  [
    'exactly at the finance threshold',
    { amount_total: 50000 },
    'finance+director',
    FINANCE_AMOUNT,
    false,
  ],
  [
    'just above the finance threshold',
    { amount_total: 50000.01 },
    'finance+director',
    FINANCE_AMOUNT,
    false,
  ],
  [
    'class C: just below its lower threshold',
    { customer_class: 'C', amount_total: 1999.99 },
    'auto',
    AUTO,
    false,
  ],
  [
    'class C: exactly at its lower threshold',
    { customer_class: 'C', amount_total: 2000 },
    'manager',
    'class C customer, order total of 2000 or more',
    true,
  ],
  [
    'class B at 2000 is still released',
    { customer_class: 'B', amount_total: 2000 },
    'auto',
    AUTO,
    false,
  ],
  ['margin exactly at 15 %', { margin_pct: 15 }, 'auto', AUTO, false],
  ['margin just below 15 %', { margin_pct: 14.99 }, 'manager', 'margin below 15%', false],
  ['margin exactly at 5 %', { margin_pct: 5 }, 'manager', 'margin below 15%', false],
  ['margin just below 5 %', { margin_pct: 4.99 }, 'finance+director', 'margin below 5%', false],
  ['a negative margin', { margin_pct: -3 }, 'finance+director', 'margin below 5%', false],
  [
    'a blocked customer, however small the order',
    { customer_class: 'blocked', amount_total: 10 },
    'exception',
    'customer is blocked',
    false,
  ],
  [
    'blocked wins over overdue and credit',
    { customer_class: 'blocked', overdue_amount: 500, credit_ok: false },
    'exception',
    'customer is blocked',
    false,
  ],
  [
    'any overdue amount',
    { overdue_amount: 0.01 },
    'finance+director',
    'customer has overdue receivables',
    false,
  ],
  ['nothing overdue', { overdue_amount: 0 }, 'auto', AUTO, false],
  ['credit not OK', { credit_ok: false }, 'finance+director', 'credit limit not confirmed', false],
  [
    'credit unknown counts as not OK',
    { credit_ok: null },
    'finance+director',
    'credit limit not confirmed',
    false,
  ],
  ['margin missing', { margin_pct: null }, 'exception', 'margin is missing', false],
  ['amount missing', { amount_total: null }, 'exception', 'order amount is missing', false],
  ['a high-risk route', { route_risk: 'high' }, 'manager', 'high-risk delivery route', false],
  [
    'dangerous goods',
    { product_category: 'hazardous' },
    'manager',
    'regulated product category',
    false,
  ],
  [
    'a class the policy does not know',
    { customer_class: 'D' },
    'exception',
    'customer class not covered by the policy',
    false,
  ],
  [
    'the first matching row wins: large beats thin margin',
    { amount_total: 60000, margin_pct: 2 },
    'finance+director',
    FINANCE_AMOUNT,
    false,
  ],
  // Bulk approval: only ordinary goods on a normal route, above the manager thresholds.
  [
    'a large order of dangerous goods is not one for bulk approval',
    { amount_total: 20000, product_category: 'hazardous' },
    'manager',
    'regulated product category',
    false,
  ],
  [
    'nor one of controlled goods',
    { customer_class: 'C', amount_total: 3000, product_category: 'controlled' },
    'manager',
    'regulated product category',
    false,
  ],
  [
    'nor one on a high-risk route',
    { customer_class: 'B', amount_total: 20000, route_risk: 'high' },
    'manager',
    'high-risk delivery route',
    false,
  ],
  [
    'without a route risk or category the amount rules apply',
    { amount_total: 20000, route_risk: null, product_category: null },
    'manager',
    MANAGER_AMOUNT,
    true,
  ],
];

const WORKFLOW = `
id: tiering
trigger: { event: order.confirmed }
steps:
  - id: tier
    type: decide
    with:
      policy: order-release-tier
      input:
        customer_class: "= input.customer_class"
        amount_total: "= input.amount_total"
        margin_pct: "= input.margin_pct"
        credit_ok: "= input.credit_ok"
        overdue_amount: "= input.overdue_amount"
        route_risk: "= input.route_risk"
        product_category: "= input.product_category"
`;

describe('order-release-tier: the policy test table', () => {
  let t: TestStore;
  let engine: Engine;
  let policies: PolicyRegistry;
  before(async () => {
    policies = packPolicies();
    t = await openTestStore();
    engine = await policyEngine(t.store, policies, [WORKFLOW]);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('directly through the policy service', async () => {
    const wrong: string[] = [];
    for (const [name, overrides, tier, reason, bulk] of CASES) {
      const outcome = await policies.decide('order-release-tier', { ...BASE, ...overrides });
      const got =
        outcome.kind === 'decided'
          ? (outcome.decision as { tier: string; reason: string; bulk_approve: boolean })
          : null;
      if (got?.tier !== tier || got.reason !== reason || got.bulk_approve !== bulk)
        wrong.push(
          `${name}: expected ${tier} (${reason}, bulk ${bulk}), got ${JSON.stringify(got ?? outcome)}`,
        );
    }
    assert.deepEqual(wrong, []);
  });

  test('through a decide step in workflow runs, recorded in the run history with the policy version and matched row', async () => {
    const version = policies.get('order-release-tier')!.version;
    const runIds: string[] = [];
    for (const [i, [, overrides]] of CASES.entries()) {
      const accepted = await engine.accept({
        source: 'test',
        type: 'order.confirmed',
        key: `case-${i}`,
        payload: { ...BASE, ...overrides },
      });
      runIds.push(accepted.runIds[0]!);
    }
    const wrong: string[] = [];
    for (const [i, [name, , tier, reason, bulk]] of CASES.entries()) {
      const run = await waitForRun(engine, runIds[i]!);
      assert.equal(run.status, 'completed', `${name}: ${JSON.stringify(run.error)}`);
      const step = run.steps.find((s) => s.stepId === 'tier' && s.status === 'completed');
      const output = step?.output as {
        decision: { tier: string; reason: string; bulk_approve: boolean };
        policy: { id: string; version: string };
        matched: { node: string; rule: number; ruleId: string; inputs: Record<string, unknown> }[];
      };
      if (
        output.decision.tier !== tier ||
        output.decision.reason !== reason ||
        output.decision.bulk_approve !== bulk
      )
        wrong.push(
          `${name}: expected ${tier} (${reason}, bulk ${bulk}), got ${JSON.stringify(output.decision)}`,
        );
      assert.deepEqual(output.policy, { id: 'order-release-tier', version });
      assert.equal(output.matched.length, 1, name);
      assert.equal(output.matched[0]!.node, 'Release tier');
      assert.ok(output.matched[0]!.rule >= 1 && output.matched[0]!.rule <= 14, name);
    }
    assert.deepEqual(wrong, []);
  });

  test('matched names the 1-based row, its id and the values it looked at', async () => {
    const outcome = await policies.decide('order-release-tier', { ...BASE, amount_total: 10000 });
    assert.equal(outcome.kind, 'decided');
    if (outcome.kind !== 'decided') return;
    assert.equal(outcome.matched[0]!.rule, 9);
    assert.equal(outcome.matched[0]!.ruleId, 'medium');
    assert.equal(outcome.matched[0]!.inputs.amount_total, 10000);
    assert.equal(outcome.matched[0]!.inputs.customer_class, 'A');
  });
});
