import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { z } from 'zod';
import { engineStepTypes, StepRegistry, type Engine } from '../../src/engine/index.ts';
import type { StepType } from '../../src/workflows/index.ts';
import { startTestApi, type TestApi } from '../api/support.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

/**
 * Store faults seen through the real store, on both stores: the database itself raises the
 * SQLSTATE (from a trigger or a DO block), and the store edge maps it. A fault that a
 * sequence counts down (nextval is not rolled back) blinks a given number of times.
 */
const raiseWhileCounting = (table: string, sqlstate: string, times: number) => `
  CREATE SEQUENCE fault_${table}_seq;
  CREATE FUNCTION fault_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF nextval('fault_${table}_seq') <= ${times} THEN
      RAISE EXCEPTION 'injected fault' USING ERRCODE = '${sqlstate}';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER fault_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fault_${table}();`;

const raise = (sqlstate: string) =>
  sql.raw(`DO $$ BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = '${sqlstate}'; END $$`);

describe('store faults at the store edge', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore();
  });
  after(async () => t.dispose());

  test('serialization failures and deadlocks are STORE_CONFLICT, shutdowns and lost connections STORE_UNAVAILABLE, both retryable', async () => {
    for (const [sqlstate, code] of [
      ['40001', 'STORE_CONFLICT'],
      ['40P01', 'STORE_CONFLICT'],
      ['57P01', 'STORE_UNAVAILABLE'],
      ['08006', 'STORE_UNAVAILABLE'],
      ['53300', 'STORE_UNAVAILABLE'],
    ] as const) {
      await assert.rejects(
        raise(sqlstate).execute(t.store.db),
        { code, category: 'transient', retryable: true },
        sqlstate,
      );
      await assert.rejects(
        t.store.db.transaction().execute((tx) => raise(sqlstate).execute(tx)),
        { code },
        `${sqlstate} in a transaction`,
      );
    }
  });

  test('other database errors are not store faults: a unique violation still reaches its caller as the driver reported it', async () => {
    await assert.rejects(
      raise('23505').execute(t.store.db),
      (error: Error & { code?: string }) => error.code === '23505',
    );
  });
});

describe('a store fault is never a step failure', () => {
  let t: TestStore;
  let engine: Engine;
  let calls = 0;
  /** A plugin step that reads the store; its first two tries meet a serialization failure. */
  const storeReader: StepType<Record<string, never>> = {
    type: 'test.store_reader',
    description: 'reads the store; blinks twice',
    config: z.strictObject({}),
    sideEffect: false,
    async execute() {
      calls++;
      if (calls <= 2) await raise('40001').execute(t.store.db);
      const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM runs`.execute(t.store.db);
      return { kind: 'done', output: { runs: row.rows[0]!.n, calls } };
    },
  };
  const flow = `
id: reader
trigger: { event: reader.go }
steps:
  - id: read
    type: test.store_reader
    retry: { max_attempts: 1 }
`;
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [flow], {
      steps: new StepRegistry([...engineStepTypes(), storeReader]),
    });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('the step runs again once the store answers, without using up its one attempt, and the run completes with no case', async () => {
    const { runIds } = await engine.accept({
      source: 'test',
      type: 'reader.go',
      key: 'r-1',
      payload: {},
    });
    const run = await waitForRun(engine, runIds[0]!, undefined, 30_000);
    assert.equal(run.status, 'completed', `the run ${run.status}: ${JSON.stringify(run.error)}`);
    assert.equal(calls, 3);
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.attempt, s.status]),
      [['read', 1, 'completed']],
      'the blinks left no failed attempt behind',
    );
    const cases = await sql<{ n: number }>`SELECT count(*)::int AS n FROM exception_cases`.execute(
      t.store.db,
    );
    assert.equal(cases.rows[0]!.n, 0, 'no dead letter');
  });
});

describe('the API and intake during store faults', () => {
  let api: TestApi;
  const flow = `
id: shipping
trigger: { event: order.paid }
steps:
  - id: hold
    type: wait
    with: { signal: go }
`;
  before(async () => {
    api = await startTestApi({ workflows: [flow] });
  });
  after(async () => api.close());

  test('intake rides out a blinking store: the event is accepted once, with one run', async () => {
    await api.t.store.execScript(raiseWhileCounting('events', '40001', 2));
    const token = await api.tokenFor('integrator');
    const answer = await api.request('POST', '/api/v1/events', {
      token,
      body: { source: 'shop', type: 'order.paid', key: 'o-1', payload: { order: 'SO1' } },
    });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.duplicate, false);
    assert.equal(await api.count('events'), 1);
    assert.equal(await api.count('runs'), 1);
  });

  test('a store that stays unavailable answers 503 with Retry-After, not 500, and the caller can send again', async () => {
    await api.t.store.execScript(raiseWhileCounting('signals', '57P01', 1));
    const token = await api.tokenFor('admin');
    const runId = String(
      (await sql<{ id: string }>`SELECT id FROM runs LIMIT 1`.execute(api.t.store.db)).rows[0]!.id,
    );
    const refused = await api.request('POST', `/api/v1/runs/${runId}/signals/go`, {
      token,
      body: { payload: {} },
    });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'STORE_UNAVAILABLE');
    assert.equal(refused.headers.get('retry-after'), '5');
    const again = await api.request('POST', `/api/v1/runs/${runId}/signals/go`, {
      token,
      body: { payload: {} },
    });
    assert.equal(again.status, 202, JSON.stringify(again.body));
  });
});
