import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApi } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import type { Engine } from '../../src/engine/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { parsePolicy, PolicyRegistry } from '../../src/policies/index.ts';
import { testKeyring } from '../api/support.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { oneTable, packPolicies, policyEngine, tempFolder } from './support.ts';

const CARRIER = `
id: pick-carrier
trigger: { event: picking.ready }
steps:
  - id: choose
    type: decide
    with:
      policy: carrier-choice
      input: { region: "= input.region", service_level: "= input.service_level", weight_kg: "= input.weight_kg", hazardous: "= input.hazardous" }
  - id: note
    type: log
    with: { message: "= 'book with ' & steps.choose.output.decision.carriers[0] & ': ' & steps.choose.output.decision.reason" }
`;

const BY_NAME = `
id: by-name
trigger: { event: decide.by.name }
steps:
  - id: decide
    type: decide
    with: { policy: "= input.policy", input: "= input.facts" }
`;

describe('the decide step', () => {
  let t: TestStore;
  let engine: Engine;
  before(async () => {
    t = await openTestStore();
    engine = await policyEngine(t.store, packPolicies(), [CARRIER, BY_NAME]);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('a dry run evaluates the policy for real and shows the decision', async () => {
    const result = await engine.simulate('pick-carrier', {
      source: 'odoo',
      type: 'picking.ready',
      key: 'dry-1',
      payload: { region: 'domestic', service_level: 'economy', weight_kg: 4, hazardous: false },
    });
    assert.equal(result.outcome, 'completed');
    const choose = result.steps[0]!;
    assert.equal(choose.action, 'executed');
    assert.equal(choose.description, 'decides with policy carrier-choice');
    const output = choose.output as {
      decision: { carriers: string[]; reason: string };
      matched: { rule: number; ruleId: string }[];
    };
    assert.deepEqual(output.decision, {
      carriers: ['parcelnow', 'swiftpost', 'euroline'],
      reason: 'light domestic economy parcel: cheapest first',
    });
    assert.deepEqual(
      output.matched.map((m) => [m.rule, m.ruleId]),
      [[6, 'budget']],
    );
    assert.equal(
      (result.steps[1]!.output as { message: string }).message,
      'book with parcelnow: light domestic economy parcel: cheapest first',
    );
  });

  test('dangerous goods go to the one carrier that takes them', async () => {
    const { runIds } = await engine.accept({
      source: 'odoo',
      type: 'picking.ready',
      key: 'haz-1',
      payload: { region: 'eu', service_level: 'standard', weight_kg: 12, hazardous: true },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'completed');
    assert.deepEqual((run.steps[0]!.output as { decision: unknown }).decision, {
      carriers: ['cargoplus'],
      reason: 'dangerous goods: only CargoPlus carries them',
    });
  });

  test('no matching row fails the step with POLICY_NO_MATCH naming the policy and the input keys', async () => {
    const { runIds } = await engine.accept({
      source: 'odoo',
      type: 'picking.ready',
      key: 'mars-1',
      payload: { region: 'mars', service_level: 'standard', weight_kg: 3, hazardous: false },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'failed');
    const error = run.error as { code: string; message: string; category: string };
    assert.equal(error.code, 'POLICY_NO_MATCH');
    assert.equal(error.category, 'user');
    assert.match(error.message, /policy carrier-choice@[0-9a-f]{16}/);
    assert.match(error.message, /keys: hazardous, region, service_level, weight_kg/);
  });

  test('a policy named by an expression that does not exist fails with POLICY_NOT_FOUND', async () => {
    const { runIds } = await engine.accept({
      source: 't',
      type: 'decide.by.name',
      key: 'nf-1',
      payload: { policy: 'no-such-policy', facts: { a: 1 } },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'failed');
    assert.equal((run.error as { code: string }).code, 'POLICY_NOT_FOUND');
    assert.match(
      (run.error as { message: string }).message,
      /No policy "no-such-policy"; this instance has carrier-choice, inventory-adjustment, invoice-release, order-release-tier/,
    );
  });

  test('the whole input may be one expression', async () => {
    const { runIds } = await engine.accept({
      source: 't',
      type: 'decide.by.name',
      key: 'whole-1',
      payload: { policy: 'order-release-tier', facts: { customer_class: 'blocked' } },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'completed');
    assert.equal((run.output as { decision: { tier: string } }).decision.tier, 'exception');
  });
});

describe('hit policies', () => {
  test('collect returns every matching row, in order, and matched lists each; an empty collect is no match', async () => {
    const loaded = parsePolicy(
      oneTable({
        hitPolicy: 'collect',
        rules: [
          { _id: 'any', amount: '> 0', tier: '"a"' },
          { _id: 'none', amount: '< 0', tier: '"b"' },
          { _id: 'big', amount: '>= 100', tier: '"c"' },
        ],
      }),
      'c.json',
    );
    assert.ok(loaded.ok);
    const registry = new PolicyRegistry();
    registry.install(loaded.policies);
    const outcome = await registry.decide('c', { amount: 150 });
    assert.equal(outcome.kind, 'decided');
    if (outcome.kind !== 'decided') return;
    assert.deepEqual(outcome.decision, [{ tier: 'a' }, { tier: 'c' }]);
    assert.deepEqual(
      outcome.matched.map((m) => [m.rule, m.ruleId]),
      [
        [1, 'any'],
        [3, 'big'],
      ],
    );
    assert.deepEqual(await registry.decide('c', { amount: 0 }), {
      kind: 'no-match',
      policy: outcome.policy,
      inputKeys: ['amount'],
    });
  });
});

describe('evaluation errors', () => {
  test('a failing expression node is POLICY_EVALUATION_FAILED, category user', async () => {
    const text = oneTable({
      nodes: (n) => [
        n[0],
        {
          id: 'x',
          type: 'expressionNode',
          name: 'Calc',
          content: { expressions: [{ id: 'e', key: 'double', value: 'amount * 2' }] },
        },
        n[2],
      ],
    })
      .replaceAll('"targetId": "t"', '"targetId": "x"')
      .replaceAll('"sourceId": "t"', '"sourceId": "x"');
    const loaded = parsePolicy(text, 'calc.json');
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    const registry = new PolicyRegistry();
    registry.install(loaded.policies);
    const ok = await registry.decide('calc', { amount: 2 });
    assert.deepEqual(ok.kind === 'decided' && ok.decision, { double: 4 });
    await assert.rejects(registry.decide('calc', { amount: 'two' }), (error: CrossdockError) => {
      assert.equal(error.code, 'POLICY_EVALUATION_FAILED');
      assert.equal(error.category, 'user');
      assert.match(error.message, /Policy calc@[0-9a-f]{16} failed: .*amount \* 2/);
      return true;
    });
  });
});

describe('policies loaded with the workflow folder', () => {
  test("engine.loadWorkflows loads the folder's policies first; an unknown policy is WORKFLOWS_INVALID with file:line path", async () => {
    const folder = tempFolder({
      'workflows/ok.yaml': CARRIER.replace('carrier-choice', 'tier'),
      'policies/tier.json': oneTable(),
    });
    const t = await openTestStore();
    try {
      const registry = new PolicyRegistry();
      const engine = await policyEngine(t.store, registry, []);
      const loaded = await engine.loadWorkflows(`${folder.dir}/workflows`);
      assert.deepEqual(
        loaded.map((w) => w.definition.id),
        ['pick-carrier'],
      );
      assert.deepEqual(registry.ids(), ['tier']);
      const bad = tempFolder({
        'workflows/bad.yaml': CARRIER.replace('carrier-choice', 'nope'),
        'policies/tier.json': oneTable(),
      });
      try {
        await assert.rejects(
          engine.loadWorkflows(`${bad.dir}/workflows`),
          (error: CrossdockError) => {
            assert.equal(error.code, 'WORKFLOWS_INVALID');
            assert.match(
              error.details[0]!.path,
              /workflows\/bad\.yaml:8 steps\[0\]\.with\.policy$/,
            );
            assert.match(error.details[0]!.message, /no policy "nope"/);
            return true;
          },
        );
      } finally {
        bad.dispose();
      }
    } finally {
      await t.dispose();
      folder.dispose();
    }
  });
});

describe('policies over HTTP (read-only)', () => {
  test('GET /api/v1/policies and /api/v1/policies/:id, with the tables as rows', async () => {
    const t = await openTestStore();
    const policies = packPolicies();
    const engine = await policyEngine(t.store, policies, []);
    const services = servicesFor(engine, { keyring: testKeyring(), policies });
    const api = await buildApi({
      services,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      rateLimit: { perMinute: 100_000, loginPerMinute: 1000 },
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
      const user = await services.users.create({
        email: 'viewer@test.example',
        role: 'viewer',
        password: 'a long enough password',
      });
      const { token } = await services.tokens.create(
        { id: user.id, role: 'viewer' },
        { name: 'viewer' },
        null,
      );
      const get = async (path: string) => {
        const response = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      const list = await get('/api/v1/policies');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.policies.map((p: { id: string }) => p.id),
        [
          'carrier-choice',
          'inventory-adjustment',
          'invoice-release',
          'order-release-tier',
          'purchase-authorization',
          'reship-approval',
          'return-refund',
          'supplier-delay-customer',
          'supplier-delay-severity',
          'vendor-bill-match',
          'vendor-bill-tolerance',
          'vendor-return',
        ],
      );
      const one = await get('/api/v1/policies/order-release-tier');
      assert.equal(one.status, 200);
      assert.equal(one.body.version, policies.get('order-release-tier')!.version);
      assert.ok(Array.isArray(one.body.content.nodes));
      const rows = one.body.tables[0].rows;
      assert.equal(rows.length, 14);
      assert.deepEqual(
        {
          rule: rows[0].rule,
          id: rows[0].id,
          class: rows[0].cells.customer_class,
          tier: rows[0].cells.tier,
        },
        { rule: 1, id: 'blocked', class: '"blocked"', tier: '"exception"' },
      );
      const missing = await get('/api/v1/policies/nope');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'POLICY_NOT_FOUND');
      assert.equal((await fetch(`${base}/api/v1/policies`)).status, 401);
    } finally {
      await api.close();
      services.metrics.close();
      await t.dispose();
    }
  });
});

describe('crossdock validate, policies test', () => {
  test('validate lists the policies it checked next to the workflows', async () => {
    const result = await runCrossdock(['validate', 'examples/workflows']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /ok  examples\/policies\/order-intake-route\.json  policy order-intake-route@[0-9a-f]{16}/,
    );
  });

  test('runs a table of cases against a policy and prints pass/fail; exit 1 on a failure', async () => {
    const folder = tempFolder({
      'cases.yaml': [
        'cases:',
        '  - name: exactly at the manager threshold',
        '    input: { customer_class: A, amount_total: 10000, margin_pct: 30, credit_ok: true, overdue_amount: 0 }',
        '    expect: { tier: manager, bulk_approve: true }',
        '  - name: blocked',
        '    input: { customer_class: blocked, amount_total: 1, margin_pct: 30, credit_ok: true }',
        '    expect: { tier: exception, reason: customer is blocked, bulk_approve: false }',
        '  - name: a wrong expectation',
        '    input: { customer_class: A, amount_total: 1, margin_pct: 30, credit_ok: true }',
        '    expect: { tier: manager }',
        '',
      ].join('\n'),
    });
    try {
      const result = await runCrossdock([
        'policies',
        'test',
        'order-release-tier',
        '--cases',
        `${folder.dir}/cases.yaml`,
        '--workflows',
        'packs',
      ]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /pass +1\. exactly at the manager threshold +\(rule 9 medium\)/);
      assert.match(result.stdout, /pass +2\. blocked/);
      assert.match(result.stdout, /FAIL +3\. a wrong expectation/);
      assert.match(
        result.stdout,
        /got +\{"bulk_approve":false,"reason":"within policy","tier":"auto"\}/,
      );
      assert.match(result.stdout, /order-release-tier@[0-9a-f]{16}: 2 passed, 1 failed/);
    } finally {
      folder.dispose();
    }
  });
});
