/**
 * Working a root cause at once: 100 runs fail the same way, the queue shows them as one
 * group, the cause is fixed, and one bulk retry completes every run and closes every case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { startHarness, type Harness } from './support.ts';

describe('bulk actions over a root-cause group', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const get = (path: string) => h.api.request('GET', path, { token: h.viewer });
  const post = (path: string, body: unknown = {}) =>
    h.api.request('POST', path, { token: h.operator, body });

  async function failMany(sku: string, count: number): Promise<string[]> {
    h.faults.set(sku, 'short');
    const runIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const {
        runIds: [runId],
      } = await h.engine.accept({
        source: 'test',
        type: 'reserve',
        key: `${sku}-${i}`,
        payload: { sku, qty: i + 1 },
      });
      runIds.push(runId!);
    }
    for (const runId of runIds) assert.equal((await waitForRun(h.engine, runId)).status, 'failed');
    return runIds;
  }

  test('100 failed runs are one group; after the fix, one bulk retry completes all 100 and resolves each case', async () => {
    const runIds = await failMany('SKU-BULK', 100);
    const groups = (await get('/api/v1/exceptions/groups')).body.groups as {
      key: string;
      count: number;
      errorCode: string;
      sampleMessage: string;
      oldestOpenedAt: string;
    }[];
    const group = groups.find((g) => g.errorCode === 'STOCK_SHORT');
    assert.ok(group, JSON.stringify(groups));
    assert.deepEqual(
      [group.key, group.count, group.oldestOpenedAt],
      ['reserve:reserve:STOCK_SHORT', 100, '2026-03-02T09:00:00.000Z'],
    );
    assert.match(group.sampleMessage, /^Only 0 of \d+ SKU-BULK on hand$/);

    const early = await post('/api/v1/exceptions/bulk', {
      action: 'retry',
      ids: [(await h.caseOf(runIds[0]!))[0]!.id],
    });
    assert.equal(early.body.results[0].ok, true);
    assert.equal(
      (await waitForRun(h.engine, runIds[0]!)).status,
      'failed',
      'not fixed yet: the run fails again and its case reopens',
    );

    h.faults.delete('SKU-BULK');
    const bulk = await post('/api/v1/exceptions/bulk', { action: 'retry', group: group.key });
    assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
    assert.equal(bulk.body.results.length, 100);
    assert.deepEqual(
      bulk.body.results.filter((r: { ok: boolean }) => !r.ok),
      [],
    );
    for (const runId of runIds)
      assert.equal((await waitForRun(h.engine, runId)).status, 'completed');

    const closed: { status: string; reasonCode: string; runId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        `/api/v1/exceptions?workflow=reserve&code=STOCK_SHORT&limit=30${cursor ? `&cursor=${cursor}` : ''}`,
      );
      closed.push(...page.body.cases);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(closed.length, 100, 'one case per run, however often it was retried');
    assert.deepEqual(
      new Set(closed.map((c) => `${c.status}/${c.reasonCode}`)),
      new Set(['resolved/fixed_by_retry']),
    );
    assert.deepEqual(new Set(closed.map((c) => c.runId)), new Set(runIds));
    assert.equal(
      (await get('/api/v1/exceptions/groups')).body.groups.some(
        (g: { key: string }) => g.key === group.key,
      ),
      false,
    );
    assert.equal(
      (await h.api.services.audit.list({ action: 'exception.retry', limit: 1000 })).length,
      101,
    );
  });

  test('bulk resolve and assign by ids report each case; a closed one is refused without stopping the others', async () => {
    const runIds = await failMany('SKU-RESOLVE', 3);
    const ids = (await Promise.all(runIds.map((r) => h.caseOf(r)))).map((c) => c[0]!.id);
    const assigned = await post('/api/v1/exceptions/bulk', {
      action: 'assign',
      ids,
      team: 'warehouse',
    });
    assert.deepEqual(
      assigned.body.results,
      ids.map((id) => ({ id, ok: true })),
    );
    assert.equal(
      (await post(`/api/v1/exceptions/${ids[0]}/resolve`, { reasonCode: 'duplicate' })).status,
      200,
    );
    const resolved = await post('/api/v1/exceptions/bulk', {
      action: 'resolve',
      ids,
      reasonCode: 'wont_fix',
      note: 'discontinued item',
    });
    assert.deepEqual(
      resolved.body.results.map((r: { ok: boolean; error?: { code: string } }) => [
        r.ok,
        r.error?.code ?? null,
      ]),
      [
        [false, 'EXCEPTION_ILLEGAL_TRANSITION'],
        [true, null],
        [true, null],
      ],
    );
    const shown = (await get(`/api/v1/exceptions/${ids[1]}`)).body;
    assert.deepEqual(
      [shown.status, shown.reasonCode, shown.resolution, shown.owner.team],
      ['resolved', 'wont_fix', 'discontinued item', 'warehouse'],
    );
    const invalid = await post('/api/v1/exceptions/bulk', { action: 'resolve', ids });
    assert.deepEqual(
      [invalid.status, invalid.body.error.details[0].path],
      [400, 'body.reasonCode'],
    );
    const neither = await post('/api/v1/exceptions/bulk', { action: 'retry' });
    assert.equal(neither.status, 400);
    const unknownGroup = await post('/api/v1/exceptions/bulk', {
      action: 'retry',
      group: 'not-a-key',
    });
    assert.deepEqual(
      [unknownGroup.status, unknownGroup.body.error.code],
      [400, 'EXCEPTION_GROUP_INVALID'],
    );
  });
});
