/**
 * How far back a running demo lets its simulated Odoo forget: at least ten minutes, and never
 * past the creation of a run that has not ended (it may still read or write those records).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forgetCutoff } from '../../src/demo/forget-ended.ts';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const HELD = `
id: held
trigger: { event: order.confirmed }
steps:
  - id: hold
    type: wait
    with: { signal: go }
`;
const MINUTE = 60_000;

let t: TestStore;
let engine: Engine;
const clock = new ManualClock('2026-03-02T09:00:00Z');
before(async () => {
  t = await openTestStore();
  engine = await engineWith(t.store, [HELD], {
    clock,
    worker: { pollIntervalMs: 20, leaseMs: 5_000 },
  });
  engine.startWorkers(1);
});
after(async () => {
  await engine.stopWorkers();
  await t.dispose();
});

test('a run not ended holds back what the simulated Odoo forgets; once it ends, ten minutes do', async () => {
  const [runId] = (
    await engine.accept({ source: 'odoo', type: 'order.confirmed', key: 'so-1', payload: {} })
  ).runIds;
  await waitForRun(engine, runId!, ['waiting']);
  clock.advance(30 * MINUTE);
  const now = clock.now();
  assert.equal(
    (await forgetCutoff(t.store.db, now, 10 * MINUTE)).toISOString(),
    '2026-03-02T09:00:00.000Z',
  );
  await engine.runs.signal(runId!, 'go', null);
  await waitForRun(engine, runId!);
  assert.equal(
    (await forgetCutoff(t.store.db, now, 10 * MINUTE)).toISOString(),
    '2026-03-02T09:20:00.000Z',
  );
});
