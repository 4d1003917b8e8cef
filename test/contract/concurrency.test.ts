import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { claimRuns, writeCheckpoints } from '../../src/store/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const PICKING = `
id: pick
trigger: { event: picking.ready }
concurrency: { key: "'picking:' & input.picking" }
steps:
  - id: hold
    type: wait
    with: { signal: go }
`;
const LIMITED = `
id: limited
trigger: { event: batch.item }
concurrency: { limit: 2 }
steps:
  - id: hold
    type: wait
    with: { signal: go }
`;
const TWO_STEPS = `
id: two-steps
trigger: { event: two.steps }
steps:
  - id: first
    type: transform
    with: { from: live-worker }
  - id: second
    type: transform
    with: { saw: "= steps.first.output.from" }
`;

async function statuses(t: TestStore, runIds: string[]): Promise<string[]> {
  const rows = await t.store.db
    .selectFrom('runs')
    .select(['id', 'status'])
    .where('id', 'in', runIds as never[])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.status);
}

describe('concurrency keys, limits and lease takeover', () => {
  let t: TestStore;
  let engine: Engine;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [PICKING, LIMITED, TWO_STEPS], {
      clock,
      worker: { pollIntervalMs: 20, leaseMs: 5_000 },
    });
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('runs with the same concurrency key run one at a time, in order; other keys are not held up', async () => {
    engine.startWorkers(1);
    const ids: string[] = [];
    for (const [key, picking] of [
      ['a', 7],
      ['b', 7],
      ['c', 7],
      ['d', 8],
    ] as const) {
      ids.push(
        (await engine.accept({ source: 'wms', type: 'picking.ready', key, payload: { picking } }))
          .runIds[0]!,
      );
    }
    await waitForRun(engine, ids[0]!, ['waiting']);
    await waitForRun(engine, ids[3]!, ['waiting']);
    assert.deepEqual(await statuses(t, ids), ['waiting', 'queued', 'queued', 'waiting']);
    await engine.runs.signal(ids[0]!, 'go', null);
    await waitForRun(engine, ids[0]!);
    await waitForRun(engine, ids[1]!, ['waiting']);
    assert.deepEqual(await statuses(t, ids), ['completed', 'waiting', 'queued', 'waiting']);
    await engine.runs.signal(ids[1]!, 'go', null);
    await engine.runs.signal(ids[2]!, 'go', null); // buffered until it is admitted
    await engine.runs.signal(ids[3]!, 'go', null);
    for (const id of ids) assert.equal((await waitForRun(engine, id)).status, 'completed');
  });

  test('a workflow limit caps its active runs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await engine.accept({ source: 'wms', type: 'batch.item', key: `i${i}`, payload: { i } }))
          .runIds[0]!,
      );
    await waitForRun(engine, ids[1]!, ['waiting']);
    assert.deepEqual(await statuses(t, ids), ['waiting', 'waiting', 'queued', 'queued', 'queued']);
    for (const id of ids) await engine.runs.signal(id, 'go', null);
    for (const id of ids) assert.equal((await waitForRun(engine, id)).status, 'completed');
  });

  test('a worker that dies loses its run when the lease expires; another resumes it from the last checkpoint', async () => {
    await engine.stopWorkers();
    const { runIds } = await engine.accept({
      source: 'x',
      type: 'two.steps',
      key: 'lease-1',
      payload: {},
    });
    const runId = runIds[0]!;
    // A worker claims the run, checkpoints its first step, and dies (never renews, never finishes).
    const [claimed] = await claimRuns(t.store.db, 'dead-worker', 10, clock.now(), 5_000);
    assert.equal(claimed?.id, runId);
    const now = clock.now();
    const written = await writeCheckpoints(t.store.db, 'dead-worker', [
      {
        runId,
        seq: 0,
        attempt: 1,
        stepId: 'first',
        stepType: 'transform',
        stepStatus: 'completed',
        output: { from: 'dead-worker' },
        error: null,
        startedAt: now,
        endedAt: now,
        openCase: false,
        parentRunId: null,
        parentSignal: null,
        run: { status: 'running', cursor: 'second', seq: 1, stepAttempt: 0, availableAt: null },
      },
    ]);
    assert.ok(written.has(runId));

    engine.startWorkers(1);
    clock.advance(4_000); // lease still valid: nobody may take it
    engine.wake();
    assert.equal((await engine.runs.show(runId)).status, 'running');
    clock.advance(2_000);
    engine.wake();
    const done = await waitForRun(engine, runId);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.output, { saw: 'dead-worker' });
    assert.deepEqual(
      done.steps.map((s) => s.stepId),
      ['first', 'second'],
    );

    // The dead worker comes back and tries to checkpoint: its write is fenced off.
    const late = await writeCheckpoints(t.store.db, 'dead-worker', [
      {
        runId,
        seq: 1,
        attempt: 1,
        stepId: 'second',
        stepType: 'transform',
        stepStatus: 'completed',
        output: { stale: true },
        error: null,
        startedAt: now,
        endedAt: now,
        openCase: false,
        parentRunId: null,
        parentSignal: null,
        run: {
          status: 'completed',
          cursor: null,
          seq: 2,
          stepAttempt: 0,
          availableAt: null,
          output: { stale: true },
        },
      },
    ]);
    assert.equal(late.size, 0);
    assert.deepEqual((await engine.runs.show(runId)).output, { saw: 'dead-worker' });
  });
});
