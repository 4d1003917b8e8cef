import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { engineStepTypes, StepRegistry, type Engine } from '../../src/engine/index.ts';
import type { StepType } from '../../src/workflows/index.ts';
import { engineWith, nextEvent, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

/**
 * The engine's side of a step type's key (serializeOn), on both stores: while another
 * execution holds the record, the step waits; a wait that ends parks the run without using
 * up an attempt; a wait cut short by the step's timeout never starts the step later.
 */
describe("a step type's key held for its execution", () => {
  let t: TestStore;
  let engine: Engine;
  const executions: string[] = [];
  /** A plugin step acting on `record`, keyed on it. */
  const touch: StepType<{ record: string }> = {
    type: 'test.touch',
    description: 'acts on a record, one execution at a time',
    config: z.strictObject({ record: z.string() }),
    sideEffect: true,
    serializeOn: (c) => `test:${c.record}`,
    async execute(ctx, config) {
      executions.push(`${ctx.runId}:${config.record}`);
      return { kind: 'done', output: { touched: config.record } };
    },
  };
  const flows = [
    `
id: touch-patient
trigger: { event: touch.patient }
steps:
  - id: touch
    type: test.touch
    with: { record: "= input.record" }
    retry: { max_attempts: 1 }
`,
    `
id: touch-hasty
trigger: { event: touch.hasty }
steps:
  - id: touch
    type: test.touch
    with: { record: "= input.record" }
    timeout_ms: 100
    retry: { max_attempts: 1 }
`,
  ];
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, flows, {
      steps: new StepRegistry([...engineStepTypes(), touch]),
      worker: { pollIntervalMs: 50, leaseMs: 5_000, stepLockWaitMs: 1_000 },
    });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  /** Holds `key` as another execution would, until the returned function is called. */
  const holdElsewhere = async (key: string) => {
    let release = () => {};
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const done = t.store.stepLocks.hold(key, { waitMs: 1_000 }, () => {
      held();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    return async () => {
      release();
      await done;
    };
  };

  test('a busy record parks the run without using up its one attempt; once free, the step runs and the run completes', async () => {
    const release = await holdElsewhere('test:crate-1');
    const { runIds } = await engine.accept({
      source: 'test',
      type: 'touch.patient',
      key: 'p-1',
      payload: { record: 'crate-1' },
    });
    const busy = await nextEvent(engine, 'step:failed', runIds[0]!);
    assert.equal(busy.error.code, 'STEP_LOCK_BUSY');
    assert.equal(busy.willRetry, true, 'parked to run again, though max_attempts is 1');
    assert.deepEqual(executions, [], 'the step did not run while the record was busy');
    await release();
    const run = await waitForRun(engine, runIds[0]!, undefined, 30_000);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.deepEqual(executions, [`${runIds[0]}:crate-1`]);
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.attempt, s.status]),
      [['touch', 1, 'completed']],
    );
  });

  test("a wait cut short by the step's timeout fails the step and never starts it once the record is free", async () => {
    executions.length = 0;
    const release = await holdElsewhere('test:crate-2');
    const { runIds } = await engine.accept({
      source: 'test',
      type: 'touch.hasty',
      key: 'h-1',
      payload: { record: 'crate-2' },
    });
    // The step's timeout (100 ms) ends before the engine's wait for the key (1 s) would.
    const run = await waitForRun(engine, runIds[0]!, ['failed'], 30_000);
    assert.equal((run.error as { code: string }).code, 'STEP_TIMEOUT');
    await release();
    // Waiters are served in arrival order: a waiter left behind would get the key before this one.
    await t.store.stepLocks.hold('test:crate-2', { waitMs: 5_000 }, async () => undefined);
    assert.deepEqual(executions, [], 'no execution started after its step had failed');
  });
});
