import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

const NOTE = `
id: note-order
trigger: { event: order.noted }
steps:
  - id: note
    type: log
    with: { message: "= 'noted ' & input.name" }
`;

/** GET /api/v1/runs?q=: text anywhere in the run's input, as the run explorer's search box sends it. */
describe('searching runs by their input', () => {
  let h: TestApi;
  let token = '';
  const runOf: Record<string, string> = {};

  before(async () => {
    h = await startTestApi({ workflows: [NOTE] });
    h.engine.startWorkers(1);
    token = await h.tokenFor('viewer');
    const orders = [
      { key: 'a', payload: { name: 'S00042', customer: 'Rheinland Büro AG', ref: 'WH/OUT/00042' } },
      { key: 'b', payload: { name: 'S00420', customer: 'Atelier Lumière', ref: 'WH/OUT/00420' } },
      { key: 'c', payload: { name: 'S00007', customer: '100% Cotton_Co', ref: 'WH/OUT/00007' } },
    ];
    for (const o of orders) {
      const { runIds } = await h.engine.accept({
        source: 'odoo',
        type: 'order.noted',
        key: o.key,
        payload: o.payload,
      });
      runOf[o.key] = runIds[0]!;
      await waitForRun(h.engine, runIds[0]!, ['completed']);
    }
  });
  after(() => h?.close());

  const search = async (q: string) => {
    const res = await h.request('GET', `/api/v1/runs?q=${encodeURIComponent(q)}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body.runs as { id: string }[]).map((r) => r.id);
  };

  test('a part of a value finds every run whose input holds it, newest first, whatever the case', async () => {
    assert.deepEqual(await search('0042'), [runOf.b, runOf.a]);
    assert.deepEqual(await search('S00042'), [runOf.a]);
    assert.deepEqual(await search('lumière'), [runOf.b]);
    assert.deepEqual(await search('RHEINLAND büro'), [runOf.a]);
    assert.deepEqual(await search('wh/out/00007'), [runOf.c]);
  });

  test('% and _ are plain characters, not wildcards', async () => {
    assert.deepEqual(await search('100%'), [runOf.c]);
    assert.deepEqual(await search('n_C'), [runOf.c]);
    assert.deepEqual(await search('S0%42'), []);
  });

  test('a search of one character is refused with the field named', async () => {
    const res = await h.request('GET', '/api/v1/runs?q=S', { token });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'REQUEST_INVALID');
    assert.equal(res.body.error.details[0].path, 'query.q');
  });
});
