import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith } from '../support/engine.ts';
import { openOtherProcessStore, openPostgresTestStore, type TestStore } from '../support/stores.ts';

// PostgreSQL only: several workers with their own connection pools race for the same runs
// (SKIP LOCKED claims). PGlite has one connection in one process, so it cannot race.
const flow = (url: string) => `
id: race
trigger: { event: race.go }
steps:
  - id: effect
    type: http.request
    with: { method: POST, url: "${url}/effect", body: { n: "= input.n" } }
  - id: done
    type: transform
    with: { ok: true }
`;

describe('competing workers on one PostgreSQL database', () => {
  let t: TestStore;
  let server: CountingServer;
  let second: Store;
  const engines: Engine[] = [];
  before(async () => {
    t = await openPostgresTestStore();
    server = await startCountingServer();
    second = await openOtherProcessStore(t, 5);
    for (const store of [t.store, second])
      engines.push(
        await engineWith(store, [flow(server.url)], {
          worker: { pollIntervalMs: 20, leaseMs: 10_000, claimBatch: 5, concurrency: 20 },
        }),
      );
  });
  after(async () => {
    for (const e of engines) await e.stopWorkers();
    await second.close();
    await server.close();
    await t.dispose();
  });

  test('four workers in two pools: each run is claimed and executed by exactly one of them', async () => {
    for (const engine of engines) engine.startWorkers(2);
    const total = 300;
    const done = new Promise<void>((resolve) => {
      let completed = 0;
      for (const engine of engines)
        engine.events.on('run:completed', () => ++completed === total && resolve());
    });
    await Promise.all(
      Array.from({ length: total }, (_, n) =>
        engines[n % 2]!.accept({ source: 'race', type: 'race.go', key: `k${n}`, payload: { n } }),
      ),
    );
    await done;
    const statuses = await sql<{
      status: string;
      n: number;
    }>`SELECT status, count(*)::int AS n FROM runs GROUP BY status`.execute(t.store.db);
    assert.deepEqual(statuses.rows, [{ status: 'completed', n: total }]);
    assert.equal(server.applied.length, total);
    assert.equal(server.duplicates, 0, 'no run was executed twice');
    const steps = await sql<{ n: number }>`SELECT count(*)::int AS n FROM run_steps`.execute(
      t.store.db,
    );
    assert.equal(steps.rows[0]!.n, total * 2);
  });
});
