/**
 * odoo.create, odoo.write and odoo.call through the engine against the simulator: each
 * run twice takes effect once; a UserError dead-letters the run at once; a 503 is retried
 * and the run completes; bad workflows are refused when they load.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClientPool, odooStepTypes } from '../../src/connectors/odoo/steps/index.ts';
import { engineStepTypes, StepRegistry } from '../../src/engine/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { attemptsOf, newOrder, outputsOf, startHarness, type Harness } from './support.ts';

const RETRY = '{ max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 5, jitter: 0 }';

const WORKFLOWS = [
  `
id: create-partner
trigger: { event: partner.create }
steps:
  - id: create
    type: odoo.create
    with:
      model: res.partner
      values: { name: "= input.name", parent_id: "= input.company", email: "= input.email" }
      external_ref: { field: ref, value: "= input.ref" }
    retry: ${RETRY}
  - id: stop
    type: fail
    with: { code: STOP_HERE, message: stops the run so that it can be replayed }
`,
  `
id: tag-order
trigger: { event: order.tag }
steps:
  - id: write
    type: odoo.write
    with: { model: sale.order, ids: "= input.order", values: { client_order_ref: "= input.ref", partner_shipping_id: "= input.ship_to" } }
  - id: stop
    type: fail
    with: { code: STOP_HERE, message: stops the run so that it can be replayed }
`,
  `
id: confirm-order
trigger: { event: order.confirm }
steps:
  - id: confirm
    type: odoo.call
    with: { model: sale.order, method: action_confirm, args: ["= [input.order]"], done_when: [[state, "=", sale]] }
`,
  `
id: confirm-order-unguarded
trigger: { event: order.confirm-unguarded }
steps:
  - id: confirm
    type: odoo.call
    with: { model: sale.order, method: action_confirm, args: ["= [input.order]"] }
    # Declared safe (a repeat is refused by Odoo, not applied twice), so that it loads; this test shows what that costs.
    safe_to_repeat: true
    retry: ${RETRY}
`,
  `
id: create-in-scope
trigger: { event: contact.create }
steps:
  - id: create
    type: odoo.create
    with:
      model: res.partner
      values: { name: "= input.name", email: "= input.email" }
      external_ref: { field: ref, value: "= input.ref", scope: { parent_id: "= input.company" } }
`,
  `
id: elsewhere
trigger: { event: elsewhere }
steps:
  - id: read
    type: odoo.read
    with: { connection: backup, model: res.partner, ids: [10] }
`,
];

describe('odoo.create, odoo.write, odoo.call', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(WORKFLOWS);
    await h.pool.get('odoo').authenticate(); // later fault counts start after the login
  });
  after(() => h.close());

  test('create run twice (replayed from the create step) makes one partner; a many2one pair is written as its id', async () => {
    const payload = {
      name: 'Crossdock Test Co',
      company: [10, 'Deco Addict'],
      email: 'a@example.com',
      ref: 'CD-P-1',
    };
    const first = await h.run('partner.create', payload);
    assert.equal(first.status, 'failed');
    const again = await h.replay(first.id, 'create');
    const [made, found] = outputsOf(again, 'create') as { id: number; created: boolean }[];
    assert.equal(made?.created, true);
    assert.deepEqual(found, { id: made?.id, created: false });
    const rows = h.sim.db.searchRead(
      'res.partner',
      [['ref', '=', 'CD-P-1']],
      ['name', 'parent_id'],
    );
    assert.deepEqual(rows, [
      { id: made?.id, name: 'Crossdock Test Co', parent_id: [10, 'Deco Addict'] },
    ]);
    assert.equal(h.sim.calls.count({ model: 'res.partner', method: 'create' }), 1);
  });

  test('create with a scope: the same key in two scopes makes two records, again in one finds its own', async () => {
    const make = async (company: number, email: string) => {
      const run = await h.run('contact.create', { name: 'Buyer', email, ref: 'BUY-1', company });
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      return outputsOf(run, 'create')[0] as { id: number; created: boolean };
    };
    const a = await make(10, 'a@example.com');
    const b = await make(11, 'b@example.com');
    const againA = await make(10, 'a2@example.com');
    assert.equal(a.created, true);
    assert.equal(b.created, true);
    assert.notEqual(a.id, b.id);
    assert.deepEqual(againA, { id: a.id, created: false });
    assert.deepEqual(
      h.sim.db
        .searchRead('res.partner', [['ref', '=', 'BUY-1']], ['parent_id', 'email'])
        .map((r) => [r.id, (r.parent_id as [number, string])[0], r.email]),
      [
        [a.id, 10, 'a@example.com'],
        [b.id, 11, 'b@example.com'],
      ],
    );
  });

  test('write run twice leaves the same values: repeating a write is harmless', async () => {
    const order = await newOrder(h.sim, [[32, 1]]);
    const first = await h.run('order.tag', {
      order,
      ref: 'PO-77',
      ship_to: [11, 'Gemini Furniture'],
    });
    const again = await h.replay(first.id, 'write');
    assert.deepEqual(outputsOf(again, 'write'), [{ ids: [order] }, { ids: [order] }]);
    assert.deepEqual(
      h.sim.db.searchRead(
        'sale.order',
        [['id', '=', order]],
        ['client_order_ref', 'partner_shipping_id'],
      ),
      [{ id: order, client_order_ref: 'PO-77', partner_shipping_id: [11, 'Gemini Furniture'] }],
    );
  });

  test('a call guarded by done_when, run by two events, confirms the order once', async () => {
    const order = await newOrder(h.sim, [[32, 1]]);
    const confirms = () =>
      h.sim.calls.count({
        model: 'sale.order',
        method: 'action_confirm',
        where: (e) => JSON.stringify(e.args) === JSON.stringify([[order]]),
      });
    const first = await h.run('order.confirm', { order });
    const second = await h.run('order.confirm', { order });
    assert.deepEqual([first.status, second.status], ['completed', 'completed']);
    assert.deepEqual(
      [...outputsOf(first, 'confirm'), ...outputsOf(second, 'confirm')],
      [
        { result: true, skipped: false },
        { result: null, skipped: true },
      ],
    );
    assert.equal(confirms(), 1);
  });

  test("Odoo's UserError ends the run failed at once, though the step may retry 4 times", async () => {
    const order = await newOrder(h.sim, [[32, 1]]);
    await h.sim.db.call('sale.order', 'action_confirm', [[order]]);
    const run = await h.run('order.confirm-unguarded', { order });
    assert.equal(run.status, 'failed');
    assert.deepEqual(attemptsOf(run, 'confirm'), [[1, 'failed', 'ODOO_USER_ERROR']]);
    assert.match(
      (run.error as { message: string }).message,
      /not in a state requiring confirmation/,
    );
    const cases = await h.engine.store.db
      .selectFrom('exception_cases')
      .selectAll()
      .where('run_id', '=', run.id)
      .execute();
    assert.equal(cases.length, 1, 'the dead letter opened an exception case');
  });

  test('503 answers are retried (by the client, then by the engine) and the run creates the record once', async () => {
    // The client tries twice per step attempt: attempt 1 gets two 503s, attempt 2 one more, then succeeds.
    h.sim.faults.failNextRequests(3, 503);
    const run = await h.run('partner.create', {
      name: 'Retried Co',
      company: false,
      email: false,
      ref: 'CD-P-503',
    });
    assert.deepEqual(attemptsOf(run, 'create'), [
      [1, 'failed', 'ODOO_UNAVAILABLE'],
      [2, 'completed', null],
    ]);
    assert.equal(outputsOf(run, 'create').length, 1);
    assert.equal(h.sim.db.searchRead('res.partner', [['ref', '=', 'CD-P-503']], ['id']).length, 1);
  });

  test('an unknown connection fails the step naming the known ones', async () => {
    const run = await h.run('elsewhere', {});
    assert.equal(run.status, 'failed');
    assert.deepEqual(attemptsOf(run, 'read'), [[1, 'failed', 'ODOO_CONNECTION_UNKNOWN']]);
    assert.match(
      (run.error as { message: string }).message,
      /No Odoo connection "backup"; known: "odoo"/,
    );
    assert.throws(
      () =>
        createClientPool([
          {
            name: 'a',
            url: h.sim.url,
            database: 'd',
            login: 'l',
            apiKey: 'k',
            protocol: 'jsonrpc',
          },
          { name: 'a', url: h.sim.url, database: 'd', login: 'l', apiKey: 'k', protocol: 'xmlrpc' },
        ]),
      { code: 'ODOO_CONFIG_INVALID' },
    );
  });

  test('a dry run describes the create with its resolved values and calls nothing', async () => {
    const creates = h.sim.calls.count({ method: 'create' });
    const result = await h.engine.simulate('create-partner', {
      source: 'test',
      type: 'partner.create',
      payload: { name: 'Dry Co', company: [10, 'Deco Addict'], email: false, ref: 'CD-DRY' },
    });
    assert.equal(result.steps[0]?.action, 'would-call');
    assert.equal(
      result.steps[0]?.description,
      'would create res.partner with ref = "CD-DRY" unless it exists, values {"name":"Dry Co","parent_id":10,"email":false}',
    );
    assert.equal(h.sim.calls.count({ method: 'create' }), creates);
  });
});

describe('Odoo step configurations refused when the workflow loads', () => {
  // Loading calls nothing: a pool whose connection points nowhere is enough.
  const pool = createClientPool([
    {
      name: 'odoo',
      url: 'http://127.0.0.1:9',
      database: 'none',
      login: 'none',
      apiKey: 'none',
      protocol: 'jsonrpc',
    },
  ]);
  const steps = new StepRegistry([...engineStepTypes(), ...odooStepTypes(pool)]);

  const problemsOf = (text: string) => {
    const result = parseWorkflow(`id: bad\nsteps:\n${text}`, 'bad.yaml', steps);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  test('a create without external_ref', () => {
    const problems = problemsOf(
      '  - { id: c, type: odoo.create, with: { model: res.partner, values: { name: X } } }',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^steps\[0\]\.with\.external_ref: /);
  });

  test('a create whose values set the key field to something else', () => {
    assert.deepEqual(
      problemsOf(
        '  - { id: c, type: odoo.create, with: { model: res.partner, values: { name: X, ref: B }, external_ref: { field: ref, value: A } } }',
      ),
      [
        'steps[0].with.values.ref: differs from external_ref.value; set the key in external_ref only',
      ],
    );
  });

  test('a call of a private method', () => {
    const problems = problemsOf(
      '  - { id: c, type: odoo.call, with: { model: sale.order, method: _create_invoices, args: [[1]] } }',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^steps\[0\]\.with\.method: a public Odoo method name/);
  });

  test('a write that would create x2many lines on every repeat', () => {
    const problems = problemsOf(
      '  - { id: w, type: odoo.write, with: { model: sale.order, ids: [1], values: { order_line: [[0, 0, { product_id: 32 }]] } } }',
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^steps\[0\]\.with\.values\.order_line: an x2many create command/);
  });

  test('all_pages with a limit, and a model name that is not one', () => {
    assert.equal(
      problemsOf(
        '  - { id: s, type: odoo.search_read, with: { model: res.partner, all_pages: true, limit: 5 } }',
      ).length,
      1,
    );
    assert.equal(
      problemsOf('  - { id: s, type: odoo.search_read, with: { model: "Res Partner" } }').length,
      1,
    );
  });
});
