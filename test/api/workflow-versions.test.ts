import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { ManualClock } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

/** Version 1 of a restock workflow: check, then note. */
const V1 = `
id: restock
version: 1
description: Reorder when stock runs low
trigger: { event: stock.low }
steps:
  - id: check
    type: transform
    with: { sku: "= input.sku", qty: "= input.qty" }
  - id: note
    type: log
    with: { message: "= 'low on ' & input.sku" }
`;

/** Version 2: "check" asks for more, "note" is gone, "order" and "tell" are new, the trigger is narrower. */
const V2 = `
id: restock
version: 2
description: Reorder when stock runs low
trigger: { event: stock.low, source: erp }
steps:
  - id: check
    type: transform
    with: { sku: "= input.sku", qty: "= input.qty", reorder: true }
  - id: order
    type: transform
    with: { po: "= 'PO-' & input.sku" }
  - id: tell
    type: log
    with: { message: "= 'ordered ' & input.sku" }
`;

/** What is loaded once restock is retired. */
const OTHER = `
id: other
trigger: { event: other.thing }
steps:
  - id: only
    type: log
    with: { message: hi }
`;

describe('workflow versions over the API', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let viewer = '';
  let v1 = '';
  let v2 = '';
  let currentWhileV1: any;
  const runsOf: Record<string, string[]> = {};

  const load = async (text: string, file: string) => {
    const parsed = parseWorkflow(text, file, h.engine.steps);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    await h.engine.installWorkflows(parsed.workflows);
    return parsed.workflows[0]!.hash;
  };
  const send = async (key: string) => {
    const { runIds } = await h.engine.accept({
      source: 'erp',
      type: 'stock.low',
      key,
      payload: { sku: key, qty: 2 },
    });
    const run = await h.engine.runs.show(runIds[0]!);
    (runsOf[run.workflowVersion] ??= []).push(run.id);
  };
  const get = (path: string) => h.request('GET', path, { token: viewer });

  before(async () => {
    h = await startTestApi({ workflows: [V1], engine: { clock } });
    viewer = await h.tokenFor('viewer');
    v1 = (await get('/api/v1/workflows/restock')).body.version;
    currentWhileV1 = (await get('/api/v1/workflows/restock')).body;
    await send('SKU-1');
    await send('SKU-2');
    clock.advance(3_600_000);
    v2 = await load(V2, 'restock.yaml');
    await send('SKU-3');
  });
  after(() => h.close());

  test('runs are pinned to the version current when they started', () => {
    assert.notEqual(v1, v2);
    assert.equal(runsOf[v1]?.length, 2);
    assert.equal(runsOf[v2]?.length, 1);
  });

  test('the versions list: newest first, with labels, when stored, files, the current marker and the runs pinned to each', async () => {
    const answer = await get('/api/v1/workflows/restock/versions');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, {
      id: 'restock',
      versions: [
        {
          hash: v2,
          label: 2,
          createdAt: '2026-03-02T10:00:00.000Z',
          file: 'restock.yaml',
          current: true,
          runs: 1,
          edited: false,
        },
        {
          hash: v1,
          label: 1,
          createdAt: '2026-03-02T09:00:00.000Z',
          file: 'test-0.yaml',
          current: false,
          runs: 2,
          edited: false,
        },
      ],
    });
  });

  test('an old version answers with its own definition and graph, in the shape of GET /workflows/:id', async () => {
    const old = await get(`/api/v1/workflows/restock/versions/${v1}`);
    assert.equal(old.status, 200, JSON.stringify(old.body));
    const { current, createdAt, runs, previous, changes, ...shape } = old.body;
    assert.deepEqual(
      shape,
      currentWhileV1,
      'the same fields and values the workflow answered while version 1 was current',
    );
    assert.deepEqual(
      [current, createdAt, runs, previous, changes],
      [false, '2026-03-02T09:00:00.000Z', 2, null, null],
      'the first version has nothing before it',
    );
    assert.deepEqual(
      old.body.graph.nodes.map((n: { id: string }) => n.id),
      ['check', 'note'],
    );
    assert.deepEqual(old.body.graph.edges, [{ from: 'check', to: 'note', kind: 'next' }]);
  });

  test('the current version: its graph, and what changed from the version before it', async () => {
    const now = await get(`/api/v1/workflows/restock/versions/${v2}`);
    assert.equal(now.status, 200, JSON.stringify(now.body));
    assert.equal(now.body.current, true);
    assert.equal(now.body.label, 2);
    assert.deepEqual(now.body.graph, (await get('/api/v1/workflows/restock')).body.graph);
    assert.deepEqual(
      now.body.graph.nodes.map((n: { id: string }) => n.id),
      ['check', 'order', 'tell'],
    );
    assert.deepEqual(now.body.previous, {
      version: v1,
      label: 1,
      createdAt: '2026-03-02T09:00:00.000Z',
    });
    assert.deepEqual(now.body.changes, {
      stepsAdded: ['order', 'tell'],
      stepsRemoved: ['note'],
      stepsChanged: ['check'],
      stepOrderChanged: false,
      triggerChanged: true,
      settingsChanged: [],
    });
  });

  test('an unknown hash is a 404 naming the workflow and the hash; an unknown workflow is WORKFLOW_UNKNOWN', async () => {
    const missing = await get('/api/v1/workflows/restock/versions/0123456789abcdef');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'WORKFLOW_VERSION_UNKNOWN');
    assert.match(missing.body.error.message, /"restock".*"0123456789abcdef"/);
    for (const path of [
      '/api/v1/workflows/nosuch/versions',
      '/api/v1/workflows/nosuch/versions/0123456789abcdef',
    ]) {
      const unknown = await get(path);
      assert.equal(unknown.status, 404, path);
      assert.equal(unknown.body.error.code, 'WORKFLOW_UNKNOWN', path);
    }
  });

  test('a retired workflow (no longer loaded) still lists its versions and shows each, none of them current', async () => {
    clock.advance(3_600_000);
    await load(OTHER, 'other.yaml');
    try {
      assert.equal(
        (await get('/api/v1/workflows/restock')).body.error.code,
        'WORKFLOW_UNKNOWN',
        'it is no longer current',
      );
      const list = await get('/api/v1/workflows/restock/versions');
      assert.deepEqual(
        list.body.versions.map((v: { hash: string; current: boolean; runs: number }) => [
          v.hash,
          v.current,
          v.runs,
        ]),
        [
          [v2, false, 1],
          [v1, false, 2],
        ],
      );
      const last = await get(`/api/v1/workflows/restock/versions/${v2}`);
      assert.equal(last.status, 200);
      assert.equal(last.body.current, false);
      assert.deepEqual(last.body.changes.stepsAdded, ['order', 'tell']);
    } finally {
      await load(V2, 'restock.yaml');
    }
  });

  test('loading a version again keeps when it was first stored and makes it current again', async () => {
    clock.advance(3_600_000);
    await load(V1, 'restock.yaml');
    const list = (await get('/api/v1/workflows/restock/versions')).body.versions;
    assert.deepEqual(
      list.map((v: { hash: string; current: boolean; createdAt: string }) => [
        v.hash,
        v.current,
        v.createdAt,
      ]),
      [
        [v2, false, '2026-03-02T10:00:00.000Z'],
        [v1, true, '2026-03-02T09:00:00.000Z'],
      ],
    );
  });
});
