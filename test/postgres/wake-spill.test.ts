import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import type { Store, WakeReason } from '../../src/store/index.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import {
  openOtherProcessStore,
  openPostgresTestStore,
  wakeListeners,
  type TestStore,
} from '../support/stores.ts';

// PostgreSQL only: which wake-ups reach the other processes (LISTEN/NOTIFY). A process whose
// own workers have room for the runs it just made ready keeps them; only the rest wake the
// others, each of which would otherwise claim and find nothing.

async function bothListening(db: Store['db']): Promise<void> {
  await eventually('both stores to listen', async () => (await wakeListeners(db)).length >= 2);
}

/**
 * What `other` hears of the wake-ups `send` makes, up to a marker sent after them ('admit'
 * always reaches every process; NOTIFY keeps one sender's order).
 */
async function heardBy(other: Store, sender: Store, send: () => Promise<void>) {
  const heard: WakeReason[] = [];
  const off = other.onWake((reason) => void heard.push(reason));
  try {
    await send();
    await sender.wake('admit');
    await eventually('the marker wake-up', async () =>
      heard.includes('admit') ? true : undefined,
    );
    return heard;
  } finally {
    off();
  }
}

describe('wake-ups between processes on PostgreSQL', () => {
  let t: TestStore;
  let other: Store;
  before(async () => {
    t = await openPostgresTestStore();
    other = await openOtherProcessStore(t);
    await bothListening(t.store.db);
  });
  after(async () => {
    await other.close();
    await t.dispose();
  });

  test('runs this process takes all of are not told to the others; the rest are, and so is a wake-up that names no runs', async () => {
    const off = t.store.onWake((_reason, runs) => (runs === undefined ? 0 : Math.min(runs, 3)));
    try {
      assert.deepEqual(
        await heardBy(other, t.store, () => t.store.wake('work', 3)),
        ['admit'],
        'three runs, room for three: nobody else is woken',
      );
      assert.deepEqual(
        await heardBy(other, t.store, () => t.store.wake('work', 4)),
        ['work', 'admit'],
        'four runs, room for three: the others hear of work',
      );
      assert.deepEqual(await heardBy(other, t.store, () => t.store.wake('work')), [
        'work',
        'admit',
      ]);
    } finally {
      off();
    }
  });

  test('a process with no worker of its own tells the others of every run', async () => {
    assert.deepEqual(await heardBy(other, t.store, () => t.store.wake('work', 1)), [
      'work',
      'admit',
    ]);
  });

  describe('with a worker in each process', () => {
    const flow = (url: string) => `
id: spill
trigger: { event: spill.go }
steps:
  - id: call
    type: http.request
    with: { method: POST, url: "${url}/effect", body: { n: "= input.n" } }
`;
    let server: CountingServer;
    let here: Engine;
    let there: Engine;
    const startedThere: string[] = [];
    const accept = (n: number) =>
      here.accept({ source: 'spill', type: 'spill.go', key: `k${n}`, payload: { n } });
    before(async () => {
      server = await startCountingServer();
      // Polls a minute apart: within a test, only a wake-up brings a worker to claim.
      const worker = { pollIntervalMs: 60_000, leaseMs: 10_000, concurrency: 2, claimBatch: 2 };
      here = await engineWith(t.store, [flow(server.url)], { worker });
      there = await engineWith(other, [flow(server.url)], { worker });
      there.events.on('run:started', ({ runId }) => void startedThere.push(runId));
      // A worker's first pass claims whatever is due: each starts, then a first run is
      // accepted and ends (in either process: one accepted while that first claim is in
      // flight is offered to the other), so that pass is behind it, and from then on only
      // wake-ups bring it to claim.
      for (const [engine, key] of [
        [here, 'warm-here'],
        [there, 'warm-there'],
      ] as const) {
        engine.startWorkers(1);
        const warm = await engine.accept({ source: 'spill', type: 'spill.go', key, payload: {} });
        await waitForRun(engine, warm.runIds[0]!);
      }
      startedThere.length = 0;
    });
    after(async () => {
      server.holdAnswers = false;
      await here.stopWorkers();
      await there.stopWorkers();
      await server.close();
    });

    test('an event accepted by a process with a free slot is run there; the other worker process is not woken', async () => {
      const heard = await heardBy(other, t.store, async () => {
        const run = await waitForRun(here, (await accept(1)).runIds[0]!);
        assert.equal(run.status, 'completed');
      });
      assert.deepEqual(heard, ['admit']);
      assert.deepEqual(startedThere, []);
    });

    test('a process whose slots are taken wakes the other, which runs the new event', async () => {
      server.holdAnswers = true; // the runs started from here on keep their slots
      const calls = server.requests.length;
      // One at a time: an event accepted while this process's claim is in flight is offered
      // to the other process (that claim may fill the free slots), as it should be.
      const first: string[] = [];
      for (const n of [2, 3]) {
        first.push((await accept(n)).runIds[0]!);
        await eventually(`run ${n} to call the carrier`, async () =>
          server.requests.length === calls + first.length ? true : undefined,
        );
      }
      assert.equal(startedThere.length, 0, "both slots are this process's");
      const third = (await accept(4)).runIds[0]!;
      await eventually('the other process to start it', async () =>
        startedThere.includes(third) ? true : undefined,
      );
      server.holdAnswers = false;
      for (const id of first) assert.equal((await waitForRun(here, id)).status, 'completed');
      assert.equal((await waitForRun(there, third)).status, 'completed');
    });
  });
});
