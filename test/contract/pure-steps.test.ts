import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { claimRuns, writeCheckpoints, type CheckpointRecord } from '../../src/store/index.ts';
import { dynamic, type StepType } from '../../src/workflows/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

/** A transform and a branch (pure), then a step that acts outside and waits to be let go. */
const SHIP = `
id: ship
trigger: { event: order.ready }
steps:
  - id: price
    type: transform
    with: { gross: "= input.total * 1.2" }
  - id: size
    type: branch
    with: { if: steps.price.output.gross > 100, then: book, else: done }
  - id: book
    type: gate
    with: { gross: "= steps.price.output.gross" }
  - id: done
    type: transform
    with: { booked: "= steps.book.output.booked" }
`;

/** A step with an effect outside the run: it tells the test it started, then waits for `open`. */
function gateStep(started: (runId: string) => void, open: Promise<void>): StepType<unknown> {
  return {
    type: 'gate',
    description: 'Waits for the test',
    config: z.object({ gross: dynamic(z.number()) }),
    sideEffect: true,
    async execute(ctx, config) {
      started(ctx.runId);
      await open;
      return { kind: 'done', output: { booked: (config as { gross: number }).gross } };
    },
  };
}

describe('pure steps: their checkpoints go with the next step’s', () => {
  let t: TestStore;
  let engine: Engine;
  let release: () => void;
  let gateStartedFor: (runId: string) => void;
  const gateStarted = new Promise<string>((resolve) => (gateStartedFor = resolve));
  before(async () => {
    t = await openTestStore();
    const open = new Promise<void>((resolve) => (release = resolve));
    const steps = new StepRegistry([...engineStepTypes(), gateStep(gateStartedFor, open)]);
    engine = await engineWith(t.store, [SHIP], { steps });
    engine.startWorkers(1);
  });
  after(async () => {
    release();
    await engine.stopWorkers();
    await t.dispose();
  });

  test('while the step after two pure ones acts, none of the three is in the store; then all are, in order', async () => {
    const completed: string[] = [];
    const off = engine.events.on('step:completed', (e) => completed.push(e.stepId));
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.ready',
      key: 'o-1',
      payload: { total: 100 },
    });
    assert.equal(await gateStarted, runIds[0]);
    const during = await engine.runs.show(runIds[0]!);
    assert.equal(during.status, 'running');
    assert.deepEqual(during.steps, [], 'price and size wait for book’s commit');
    assert.deepEqual(completed, [], 'no step is announced before it is committed');

    release();
    const run = await waitForRun(engine, runIds[0]!);
    off();
    assert.equal(run.status, 'completed');
    assert.deepEqual(
      run.steps.map((s) => [s.seq, s.stepId, s.status, s.output]),
      [
        [0, 'price', 'completed', { gross: 120 }],
        [1, 'size', 'completed', { value: true }],
        [2, 'book', 'completed', { booked: 120 }],
        [3, 'done', 'completed', { booked: 120 }],
      ],
    );
    assert.deepEqual(completed, ['price', 'size', 'book', 'done']);
  });
});

describe('a batch with several records of one run', () => {
  let t: TestStore;
  let engine: Engine;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [SHIP], {
      clock,
      steps: new StepRegistry([...engineStepTypes(), gateStep(() => {}, Promise.resolve())]),
    });
  });
  after(async () => t.dispose());

  const record = (runId: string, seq: number, stepId: string, next: string): CheckpointRecord => ({
    runId,
    seq,
    attempt: 1,
    stepId,
    stepType: 'transform',
    stepStatus: 'completed',
    output: { seq },
    error: null,
    startedAt: clock.now(),
    endedAt: clock.now(),
    openCase: false,
    parentRunId: null,
    parentSignal: null,
    run: { status: 'running', cursor: next, seq: seq + 1, stepAttempt: 0, availableAt: null },
  });

  /** A new run of SHIP, claimed by worker-a. */
  async function claimedRun(key: string): Promise<string> {
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.ready',
      key,
      payload: { total: 100 },
    });
    await claimRuns(t.store.db, 'worker-a', 10, clock.now(), 5_000);
    return runIds[0]!;
  }

  test('writes every step and leaves the run where the last one says', async () => {
    const runId = await claimedRun('batch-1');
    const written = await writeCheckpoints(t.store.db, 'worker-a', [
      record(runId, 0, 'price', 'size'),
      record(runId, 1, 'size', 'book'),
    ]);
    assert.deepEqual([...written], [runId]);
    const run = await engine.runs.show(runId);
    assert.deepEqual(
      run.steps.map((s) => [s.seq, s.stepId]),
      [
        [0, 'price'],
        [1, 'size'],
      ],
    );
    assert.equal(run.status, 'running');
    const row = await t.store.db
      .selectFrom('runs')
      .select(['cursor', 'seq'])
      .where('id', '=', runId as never)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { cursor: 'book', seq: 2 });
  });

  test('writes none of them when the lease is lost', async () => {
    const runId = await claimedRun('batch-2');
    const written = await writeCheckpoints(t.store.db, 'worker-b', [
      record(runId, 0, 'price', 'size'),
      record(runId, 1, 'size', 'book'),
    ]);
    assert.equal(written.size, 0);
    assert.deepEqual((await engine.runs.show(runId)).steps, []);
  });
});
