/**
 * How far back a running demo lets its simulated Odoo forget: at least ten minutes, never past
 * the creation of a run being worked (it may read or write anything), and never the documents
 * a run not ended names in its input (a run parked for hours keeps its order, not the cutoff).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forgetPlan } from '../../src/demo/forget-ended.ts';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const HELD = `
id: held
trigger: { event: order.confirmed }
concurrency: { key: "input.customer" }
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

test('a run being worked holds back the cutoff; a parked run keeps only what its input names', async () => {
  const plan = async () => {
    const { before, keep } = await forgetPlan(t.store.db, clock.now(), 10 * MINUTE);
    const ids = Object.fromEntries([...keep.ids].map(([model, set]) => [model, [...set]]));
    return { before: before.toISOString(), ids, names: [...keep.names].sort() };
  };
  const accept = async (key: string, payload: Record<string, unknown>) =>
    (await engine.accept({ source: 'odoo', type: 'order.confirmed', key, payload })).runIds[0]!;
  // Ids count where their key says their model; a quantity or a partner's id names no document.
  const first = await accept('so-1', {
    customer: 'acme',
    order: 'S00001',
    picking_id: 7,
    quantity: 3,
    partner_id: 12,
    record: { model: 'stock.move', id: 40 },
  });
  await waitForRun(engine, first, ['waiting']);
  clock.advance(5 * MINUTE);
  // The same customer's next order queues behind the first: it waits to be worked.
  const second = await accept('so-2', { customer: 'acme', order: 'S00002' });
  await waitForRun(engine, second, ['queued']);
  clock.advance(25 * MINUTE);
  assert.deepEqual(await plan(), {
    before: '2026-03-02T09:05:00.000Z',
    ids: { 'stock.picking': [7], 'stock.move': [40] },
    names: ['S00001', 'S00002', 'acme', 'stock.move'],
  });

  await engine.runs.signal(first, 'go', null);
  await waitForRun(engine, first);
  await waitForRun(engine, second, ['waiting']);
  // Parked for its signal, the second run holds back nothing but its own order.
  assert.deepEqual(await plan(), {
    before: '2026-03-02T09:20:00.000Z',
    ids: {},
    names: ['S00002', 'acme'],
  });

  await engine.runs.signal(second, 'go', null);
  await waitForRun(engine, second);
  assert.deepEqual(await plan(), { before: '2026-03-02T09:20:00.000Z', ids: {}, names: [] });
});
