import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { engineWith, nextEvent, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const APPROVAL = `
id: approval
trigger: { event: credit.hold }
steps:
  - id: ask
    type: wait
    with: { signal: decision, duration_ms: 172800000, on_timeout: escalate }
  - id: decided
    type: transform
    with: { approved: "= steps.ask.output.payload.approved" }
    end: true
  - id: escalate
    type: transform
    with: { escalated: true }
`;
const PAUSE = `
id: pause
trigger: { event: pause.me }
steps:
  - id: nap
    type: wait
    with: { duration_ms: 3600000 }
  - id: after
    type: transform
    with: { woke: "= steps.nap.output.waitedUntil" }
`;
const PARENT = `
id: parent
trigger: { event: parent.go }
steps:
  - id: child
    type: subflow
    with: { workflow: child, input: { n: "= input.n" } }
  - id: use
    type: transform
    with: { doubled: "= steps.child.output.doubled" }
`;
const CHILD = `
id: child
steps:
  - id: double
    type: transform
    with: { doubled: "= input.n * 2" }
`;

describe('durable waits, signals and subflows', () => {
  let t: TestStore;
  let engine: Engine;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [APPROVAL, PAUSE, PARENT, CHILD], { clock });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('a run waiting for a signal holds no worker and continues with the signal payload', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'credit.hold',
      key: 'c-1',
      payload: {},
    });
    const runId = runIds[0]!;
    const waiting = await waitForRun(engine, runId, ['waiting']);
    assert.equal(waiting.cursor, 'ask');
    assert.equal(waiting.availableAt, '2026-03-04T09:00:00.000Z');
    const parked = await t.store.db
      .selectFrom('runs')
      .select(['lease_owner'])
      .where('id', '=', runId as never)
      .executeTakeFirstOrThrow();
    assert.equal(parked.lease_owner, null);
    await engine.runs.signal(runId, 'decision', { approved: true, by: 'maria' });
    const done = await waitForRun(engine, runId);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.output, { approved: true });
  });

  test('a signal sent before the run reaches its wait is kept for it', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'credit.hold',
      key: 'c-early',
      payload: {},
    });
    await engine.runs.signal(runIds[0]!, 'decision', { approved: false });
    const done = await waitForRun(engine, runIds[0]!);
    assert.deepEqual(done.output, { approved: false });
  });

  test('no decision within 48 h: the timeout path runs, without waiting 48 real hours', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'credit.hold',
      key: 'c-2',
      payload: {},
    });
    await waitForRun(engine, runIds[0]!, ['waiting']);
    clock.advance(48 * 3600_000 + 1);
    engine.wake();
    const done = await waitForRun(engine, runIds[0]!);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.output, { escalated: true });
  });

  test('a timed wait keeps its deadline across wake-ups and resumes once it is due', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'pause.me',
      key: 'p-1',
      payload: {},
    });
    const waiting = await waitForRun(engine, runIds[0]!, ['waiting']);
    const deadline = waiting.availableAt;
    clock.advance(60_000);
    const parkedAgain = nextEvent(engine, 'run:waiting', runIds[0]!);
    await engine.runs.signal(runIds[0]!, 'unrelated', null); // wakes it early: it must park again
    assert.equal((await parkedAgain).until?.toISOString(), deadline);
    assert.equal((await engine.runs.show(runIds[0]!)).availableAt, deadline);
    clock.advance(3600_000);
    engine.wake();
    const done = await waitForRun(engine, runIds[0]!);
    assert.deepEqual(done.output, { woke: deadline });
  });

  test('a subflow runs as a child run and its output flows back to the parent', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'parent.go',
      key: 'g-1',
      payload: { n: 21 },
    });
    const done = await waitForRun(engine, runIds[0]!);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.output, { doubled: 42 });
    const children = await t.store.db
      .selectFrom('runs')
      .select(['status', 'workflow_id'])
      .where('parent_run_id', '=', runIds[0]!)
      .execute();
    assert.deepEqual(children, [{ status: 'completed', workflow_id: 'child' }]);
  });

  test('a waiting run can be cancelled, and a cancelled run cannot be cancelled again', async () => {
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'credit.hold',
      key: 'c-3',
      payload: {},
    });
    await waitForRun(engine, runIds[0]!, ['waiting']);
    await engine.runs.cancel(runIds[0]!, 'order withdrawn');
    const run = await engine.runs.show(runIds[0]!);
    assert.equal(run.status, 'cancelled');
    await assert.rejects(engine.runs.cancel(runIds[0]!), { code: 'RUN_ALREADY_ENDED' });
  });
});
