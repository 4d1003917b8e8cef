/**
 * Authorization by event source. A token limited to one source reads only that source's
 * events and runs (a subflow run belongs to its parent's source) and never holds the reads
 * that are not filtered by source. The engine's sources are reserved: no person's token,
 * whatever its role, may send as them or be made for them, so no forged key can pre-empt an
 * event the engine emits later; the engine's own token still can.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EngineIdentity } from '../../src/auth/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from '../api/support.ts';

const PARENT = `
id: parent
trigger: { event: order.created }
steps:
  - id: child
    type: subflow
    with: { workflow: child, input: { secret_note: "= input.note" } }
`;
const CHILD = `
id: child
steps:
  - id: echo
    type: transform
    with: { note: "= input.secret_note" }
`;

describe('event reads and writes scoped by source', () => {
  let h: TestApi;
  let shopToken: string;
  const ids = { shopEvent: '', erpEvent: '', shopRun: '', erpRun: '', shopChild: '', erpChild: '' };

  before(async () => {
    h = await startTestApi({ workflows: [PARENT, CHILD] });
    h.engine.startWorkers(1);
    const admin = await h.tokenFor('admin');
    for (const source of ['shop', 'erp'] as const) {
      const sent = await h.request('POST', '/api/v1/events', {
        token: admin,
        body: {
          source,
          type: 'order.created',
          key: `${source}-1`,
          payload: { note: `${source} margin 31%` },
        },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const run = await waitForRun(h.engine, sent.body.runIds[0]);
      assert.equal(run.status, 'completed', JSON.stringify(run.error));
      const child = (await h.engine.runs.list({ limit: 100 })).find(
        (r) => r.parentRunId === run.id,
      )!;
      ids[`${source}Event`] = sent.body.eventId;
      ids[`${source}Run`] = run.id;
      ids[`${source}Child`] = child.id;
    }
    // An operator's token for the shop's integration: reads of every kind requested.
    shopToken = await h.tokenFor('operator', {
      scopes: [
        'events:read',
        'events:send',
        'runs:read',
        'runs:operate',
        'exceptions:read',
        'approvals:read',
      ],
      eventSources: ['shop'],
    });
  });
  after(() => h.close());

  test('a token limited to one source lists and shows only its events', async () => {
    const listed = await h.request('GET', '/api/v1/events', { token: shopToken });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.events.map((e: { source: string }) => e.source),
      ['shop'],
    );
    assert.deepEqual(
      (await h.request('GET', '/api/v1/events?source=erp', { token: shopToken })).body.events,
      [],
    );
    assert.equal(
      (await h.request('GET', `/api/v1/events/${ids.shopEvent}`, { token: shopToken })).status,
      200,
    );
    const other = await h.request('GET', `/api/v1/events/${ids.erpEvent}`, { token: shopToken });
    assert.deepEqual(
      [other.status, other.body.error.code],
      [404, 'EVENT_NOT_FOUND'],
      'another source is not even confirmed to exist',
    );
    const admin = await h.tokenFor('admin');
    assert.equal(
      (await h.request('GET', '/api/v1/events', { token: admin })).body.events.length,
      2,
      'an unlimited token sees both',
    );
  });

  test('runs, their inputs and subflows follow the source of the event that started them', async () => {
    const listed = await h.request('GET', '/api/v1/runs?limit=100', { token: shopToken });
    assert.deepEqual(
      listed.body.runs.map((r: { id: string }) => r.id).sort(),
      [ids.shopRun, ids.shopChild].sort(),
    );
    assert.deepEqual(
      (await h.request('GET', '/api/v1/runs?q=erp%20margin', { token: shopToken })).body.runs,
      [],
      'text search does not reach other sources',
    );
    assert.equal(
      (await h.request('GET', `/api/v1/runs/${ids.shopChild}`, { token: shopToken })).body.input
        .secret_note,
      'shop margin 31%',
    );
    for (const id of [ids.erpRun, ids.erpChild]) {
      const shown = await h.request('GET', `/api/v1/runs/${id}`, { token: shopToken });
      assert.deepEqual([shown.status, shown.body.error.code], [404, 'RUN_NOT_FOUND']);
      assert.ok(!JSON.stringify(shown.body).includes('erp margin'));
      const replay = await h.request('POST', `/api/v1/runs/${id}/cancel`, {
        token: shopToken,
        body: {},
      });
      assert.equal(replay.status, 404, 'nor acted on');
    }
  });

  test('reads not filtered by source are not held by such a token, whatever its scopes', async () => {
    for (const path of ['/api/v1/exceptions', '/api/v1/approvals']) {
      const answer = await h.request('GET', path, { token: shopToken });
      assert.equal(answer.status, 403, path);
    }
    const me = await h.request('GET', '/api/v1/auth/me', { token: shopToken });
    assert.ok(!me.body.permissions.includes('exceptions:read'));
    assert.ok(me.body.permissions.includes('runs:read'));
  });

  test("the engine's sources are reserved: refused to every person's token, open to the engine's own", async () => {
    const admin = await h.tokenFor('admin');
    for (const source of ['crossdock', 'schedule', 'carrier.swiftpost']) {
      const forged = await h.request('POST', '/api/v1/events', {
        token: admin,
        body: {
          source,
          type: 'order.released',
          key: 'order.released:42',
          payload: { order_id: 42 },
        },
      });
      assert.deepEqual(
        [forged.status, forged.body.error.code],
        [403, 'EVENT_SOURCE_RESERVED'],
        source,
      );
    }
    const made = await h.request('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'pretend engine', eventSources: ['crossdock'] },
    });
    assert.equal(made.status, 400, 'no token of a person can be made for an engine source');
    const hook = await h.request('POST', '/api/v1/sources', {
      token: admin,
      body: {
        name: 'carrier.fake',
        verification: 'path-token',
        mapping: { type: 'x', key: '= body.id' },
      },
    });
    assert.equal(hook.status, 400, 'nor a webhook source under a reserved name');
    assert.equal(await h.count('events'), 2, 'nothing stored');
    // The key the forger tried is still free: the engine's own event under it is new.
    let engineToken = '';
    const identity = new EngineIdentity(
      h.services.users,
      h.services.tokens,
      (token) => (engineToken = token),
      silentLogger(),
    );
    await identity.start();
    const real = await h.request('POST', '/api/v1/events', {
      token: engineToken,
      body: {
        source: 'crossdock',
        type: 'order.released',
        key: 'order.released:42',
        payload: { order_id: 42 },
      },
    });
    assert.deepEqual([real.status, real.body.duplicate], [202, false]);
    await identity.stop();
  });
});
