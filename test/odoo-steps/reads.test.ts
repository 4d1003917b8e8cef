/** odoo.read and odoo.search_read through the engine against the simulator. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attemptsOf, outputsOf, startHarness, type Harness } from './support.ts';

const WORKFLOWS = [
  `
id: read
trigger: { event: read }
steps:
  - id: read
    type: odoo.read
    with: { model: res.partner, ids: "= input.ids", fields: [name, phone], missing: "fail" }
`,
  `
id: read-lenient
trigger: { event: read-lenient }
steps:
  - id: read
    type: odoo.read
    with: { model: res.partner, ids: "= input.ids", fields: [name], missing: skip }
`,
  `
id: search
trigger: { event: search }
steps:
  - id: search
    type: odoo.search_read
    with: { model: product.product, domain: "= [['default_code', '=like', input.prefix & '%']]", fields: [default_code], order: default_code desc, limit: 2, offset: 1 }
`,
  `
id: search-all
trigger: { event: search-all }
steps:
  - id: search
    type: odoo.search_read
    with: { model: product.product, domain: [[default_code, "!=", false]], fields: [name], all_pages: true, page_size: 3, max_records: 1000 }
`,
  `
id: search-all-ordered
trigger: { event: search-all-ordered }
steps:
  - id: search
    type: odoo.search_read
    with: { model: product.product, domain: [[default_code, "!=", false]], fields: [default_code], order: default_code desc, all_pages: true, page_size: 3 }
`,
  `
id: search-capped
trigger: { event: search-capped }
steps:
  - id: search
    type: odoo.search_read
    with: { model: product.product, fields: [name], all_pages: true, page_size: 3, max_records: 4 }
`,
];

describe('odoo.read and odoo.search_read', () => {
  let h: Harness;
  before(async () => (h = await startHarness(WORKFLOWS)));
  after(() => h.close());

  test('read takes bare ids and [id, name] pairs', async () => {
    const run = await h.run('read', { ids: [[10, 'Deco Addict'], 12] });
    const expected = h.sim.db.searchRead(
      'res.partner',
      [['id', 'in', [10, 12]]],
      ['name', 'phone'],
    );
    assert.deepEqual(outputsOf(run, 'read'), [expected]);
  });

  test('a missing id fails the read (Odoo drops it silently) unless missing is "skip"', async () => {
    const strict = await h.run('read', { ids: [10, 999999] });
    assert.deepEqual(attemptsOf(strict, 'read'), [[1, 'failed', 'ODOO_MISSING_RECORD']]);
    assert.match(
      (strict.error as { message: string }).message,
      /res\.partner 999999 does not exist/,
    );
    const lenient = await h.run('read-lenient', { ids: [10, 999999] });
    assert.deepEqual(outputsOf(lenient, 'read'), [[{ id: 10, name: 'Deco Addict' }]]);
  });

  test('reads are repeatable: a 502 is retried by the client within one step attempt', async () => {
    h.sim.faults.failNextRequests(1, 502);
    const run = await h.run('read', { ids: 10 });
    assert.deepEqual(attemptsOf(run, 'read'), [[1, 'completed', null]]);
  });

  test('search_read with an expression domain, order, limit and offset', async () => {
    const run = await h.run('search', { prefix: 'FURN' });
    const all = h.sim.db
      .searchRead('product.product', [['default_code', '=like', 'FURN%']], ['default_code'])
      .sort((a, b) => String(b.default_code).localeCompare(String(a.default_code)));
    assert.ok(all.length >= 3);
    assert.deepEqual(outputsOf(run, 'search'), [{ records: all.slice(1, 3), count: 2 }]);
  });

  test('all_pages reads page after page in id order until a short page', async () => {
    const pagesBefore = h.sim.calls.count({ model: 'product.product', method: 'search_read' });
    const run = await h.run('search-all', {});
    const expected = h.sim.db
      .searchRead('product.product', [['default_code', '!=', false]], ['name'])
      .sort((a, b) => Number(a.id) - Number(b.id));
    assert.ok(expected.length > 3, 'more than one page');
    assert.deepEqual(outputsOf(run, 'search'), [{ records: expected, count: expected.length }]);
    assert.equal(
      h.sim.calls.count({ model: 'product.product', method: 'search_read' }) - pagesBefore,
      Math.floor(expected.length / 3) + 1,
    );
  });

  test('all_pages keeps the given order, with id to break ties', async () => {
    const run = await h.run('search-all-ordered', {});
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    const expected = h.sim.db
      .searchRead('product.product', [['default_code', '!=', false]], ['default_code'])
      .sort(
        (a, b) =>
          String(b.default_code).localeCompare(String(a.default_code)) ||
          Number(a.id) - Number(b.id),
      );
    assert.ok(expected.length > 3, 'more than one page');
    assert.deepEqual(outputsOf(run, 'search'), [{ records: expected, count: expected.length }]);
  });

  test('all_pages fails when more than max_records match', async () => {
    const run = await h.run('search-capped', {});
    assert.deepEqual(attemptsOf(run, 'search'), [[1, 'failed', 'ODOO_TOO_MANY_RECORDS']]);
  });
});
