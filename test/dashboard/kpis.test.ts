import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';
import { SHIP } from './support.ts';

describe('GET /api/v1/kpis: the overview aggregates', () => {
  let h: TestApi;
  let viewer: string;
  before(async () => {
    h = await startTestApi({ workflows: [SHIP] });
    h.engine.startWorkers(1);
    viewer = await h.tokenFor('viewer');
    for (const [i, weightKg] of [3, 50, undefined].entries()) {
      const { runIds } = await h.engine.accept({ source: 'odoo', type: 'shipment.ready', key: `k-${i}`, payload: { ref: `R${i}`, ...(weightKg === undefined ? {} : { weightKg }) } });
      await waitForRun(h.engine, runIds[0]!);
    }
  });
  after(() => h.close());

  test('counts events, ended runs, the error rate and open exceptions in the range', async () => {
    const answer = await h.request('GET', '/api/v1/kpis?last=1h', { token: viewer });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const k = answer.body;
    assert.equal(k.bucket, '1m');
    assert.equal(k.events.series.length, 60);
    assert.equal(k.events.total, 3);
    assert.equal(k.events.series.reduce((a: number, b: number) => a + b, 0), 3);
    assert.deepEqual([k.runs.completedTotal, k.runs.failedTotal], [2, 1]);
    assert.equal(k.runs.errorRate, 1 / 3);
    assert.equal(k.runs.byStatus.completed, 2);
    assert.equal(k.runs.byStatus.failed, 1);
    assert.deepEqual(k.approvals, { waiting: 0, breached: 0 });
    assert.equal(k.exceptions.open, 1);
    assert.deepEqual(k.exceptions.byAge.map((b: { count: number }) => b.count), [1, 0, 0, 0]);
  });

  test('a range before anything happened is all zeros; too many buckets is a 400 naming the field', async () => {
    const empty = await h.request('GET', '/api/v1/kpis?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z&bucket=1h', { token: viewer });
    assert.equal(empty.status, 200);
    assert.deepEqual([empty.body.events.total, empty.body.events.series.length, empty.body.runs.errorRate], [0, 24, null]);
    const tooFine = await h.request('GET', '/api/v1/kpis?last=7d&bucket=1m', { token: viewer });
    assert.equal(tooFine.status, 400);
    assert.equal(tooFine.body.error.details[0].path, 'query.bucket');
    const wrong = await h.request('GET', '/api/v1/kpis?bucket=2m', { token: viewer });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.details[0].path, 'query.bucket');
  });
});
