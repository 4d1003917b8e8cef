import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const flow = (url: string) => `
id: notify
trigger: { event: order.paid }
steps:
  - id: prepare
    type: transform
    with: { order: "= input.order" }
  - id: call
    type: http.request
    with:
      method: POST
      url: "= '${url}/orders/' & input.order"
      body: { order: "= input.order" }
    retry: { max_attempts: 3, initial_delay_ms: 1, max_delay_ms: 5, jitter: 0 }
  - id: done
    type: transform
    with: { remote: "= steps.call.output.body.id" }
`;

describe('retries, dead letters and replay', () => {
  let t: TestStore;
  let engine: Engine;
  let server: CountingServer;
  before(async () => {
    t = await openTestStore();
    server = await startCountingServer();
    engine = await engineWith(t.store, [flow(server.url)]);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await server.close();
    await t.dispose();
  });

  test('a transient failure is retried and the run completes; every attempt carries the same idempotency key', async () => {
    server.failNext(2, 503);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.paid',
      key: 'p-1',
      payload: { order: 'SO1' },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'completed');
    const calls = run.steps.filter((s) => s.stepId === 'call');
    assert.deepEqual(
      calls.map((s) => [s.attempt, s.status]),
      [
        [1, 'failed'],
        [2, 'failed'],
        [3, 'completed'],
      ],
    );
    assert.equal((calls[0]!.error as { code: string }).code, 'HTTP_SERVER_ERROR');
    const keys = server.requests.filter((r) => r.path === '/orders/SO1').map((r) => r.key);
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1);
    assert.match(keys[0]!, new RegExp(`^${runIds[0]}:call:0$`));
  });

  test('a client error is not retried: the run fails into an open exception case, then replays from the failed step with a patched input', async () => {
    server.failNext(1, 422);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.paid',
      key: 'p-2',
      payload: { order: 'BAD' },
    });
    const runId = runIds[0]!;
    const failed = await waitForRun(engine, runId);
    assert.equal(failed.status, 'failed');
    assert.equal((failed.error as { code: string }).code, 'HTTP_CLIENT_ERROR');
    assert.equal(failed.cursor, 'call');
    assert.equal(failed.steps.filter((s) => s.stepId === 'call').length, 1);
    const cases = await t.store.db
      .selectFrom('exception_cases')
      .selectAll()
      .where('run_id', '=', runId)
      .execute();
    assert.deepEqual(
      cases.map((c) => [c.status, c.step_id, c.kind]),
      [['open', 'call', 'run_failed']],
    );

    await engine.runs.replay(runId, { input: { order: 'SO2' } });
    const replayed = await waitForRun(engine, runId);
    assert.equal(replayed.status, 'completed');
    // prepare ran once, before the failure; only the failed step and what follows ran again.
    assert.equal(replayed.steps.filter((s) => s.stepId === 'prepare').length, 1);
    assert.deepEqual(replayed.input, { order: 'SO2' });
    assert.equal(server.requests.filter((r) => r.path === '/orders/SO2').length, 1);
    // The replayed call carries the key of the failed one: a receiver that had applied it would not apply it twice.
    const keys = server.requests
      .filter((r) => r.path === '/orders/BAD' || r.path === '/orders/SO2')
      .map((r) => r.key);
    assert.deepEqual(keys, [`${runId}:call:0`, `${runId}:call:0`]);
    const closed = await t.store.db
      .selectFrom('exception_cases')
      .select('status')
      .where('run_id', '=', runId)
      .execute();
    assert.deepEqual(
      closed.map((c) => c.status),
      ['replayed'],
    );
  });

  test('a replay can start from an earlier step; the failed attempt stays in the history', async () => {
    server.failNext(1, 400);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.paid',
      key: 'p-5',
      payload: { order: 'SO5' },
    });
    const runId = runIds[0]!;
    await waitForRun(engine, runId);
    await engine.runs.replay(runId, { fromStep: 'prepare', input: { order: 'SO5b' } });
    const run = await waitForRun(engine, runId);
    assert.equal(run.status, 'completed');
    assert.deepEqual(
      run.steps.map((s) => [s.seq, s.stepId, s.status]),
      [
        [0, 'prepare', 'completed'],
        [1, 'call', 'failed'],
        [2, 'prepare', 'completed'],
        [3, 'call', 'completed'],
        [4, 'done', 'completed'],
      ],
    );
    assert.deepEqual(run.steps[2]!.output, { order: 'SO5b' });
  });

  test('retries exhausted: the run fails with the last error and its attempts are all recorded', async () => {
    server.failNext(3, 502);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.paid',
      key: 'p-3',
      payload: { order: 'SO3' },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'failed');
    assert.deepEqual(
      run.steps.filter((s) => s.stepId === 'call').map((s) => s.attempt),
      [1, 2, 3],
    );
  });

  test('replaying a run that has not failed is refused with a clear error', async () => {
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.paid',
      key: 'p-4',
      payload: { order: 'SO4' },
    });
    await waitForRun(engine, runIds[0]!);
    await assert.rejects(engine.runs.replay(runIds[0]!), { code: 'RUN_NOT_REPLAYABLE' });
    await assert.rejects(engine.runs.replay('999999'), { code: 'RUN_NOT_FOUND' });
  });
});
