import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith } from '../support/engine.ts';
import { openPostgresTestStore, type TestStore } from '../support/stores.ts';
import type { Engine } from '../../src/engine/index.ts';

/**
 * Durability under SIGKILL. Worker processes drive runs whose steps call a counting HTTP
 * server; the test kills workers at random moments (often between a side effect and its
 * checkpoint, because the server answers slowly) and starts new ones. Afterwards every
 * accepted event has exactly one run, every run completed, and each side effect's
 * idempotency key took effect exactly once.
 */
const EVENTS = Number(process.env.CHAOS_EVENTS ?? 500);
const KILLS = Number(process.env.CHAOS_KILLS ?? 24);
const WORKERS = 3;
const LEASE_MS = 2_000;

const flow = (url: string) => `
id: chaos
trigger: { event: chaos.order }
steps:
  - id: prepare
    type: transform
    with: { order: "= input.n" }
  - id: reserve
    type: http.request
    with: { method: POST, url: "${url}/reserve", body: { order: "= input.n" }, timeout_ms: 5000 }
    retry: { max_attempts: 20, initial_delay_ms: 50, max_delay_ms: 500 }
  - id: ship
    type: http.request
    with: { method: POST, url: "${url}/ship", body: { order: "= input.n" }, timeout_ms: 5000 }
    retry: { max_attempts: 20, initial_delay_ms: 50, max_delay_ms: 500 }
  - id: finish
    type: transform
    with: { shipped: "= steps.ship.output.body.accepted" }
`;

describe('chaos: workers killed with SIGKILL while runs are in flight', () => {
  let t: TestStore;
  let server: CountingServer;
  let engine: Engine;
  let dir: string;
  const workers = new Map<ChildProcess, number>(); // process -> when it started
  let spawned = 0;

  const spawnWorker = (url: string) => {
    const child = spawn(process.execPath, ['bin/crossdock.js', 'worker', '--workflows', dir], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        CROSSDOCK_LEASE_MS: String(LEASE_MS),
        CROSSDOCK_POLL_INTERVAL_MS: '100',
        CROSSDOCK_WORKER_CONCURRENCY: '10',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    spawned++;
    workers.set(child, Date.now());
    child.once('exit', () => workers.delete(child));
    return child;
  };

  before(async () => {
    t = await openPostgresTestStore();
    server = await startCountingServer({ delayMs: 40 });
    dir = mkdtempSync(join(tmpdir(), 'crossdock-chaos-'));
    writeFileSync(join(dir, 'chaos.yaml'), flow(server.url));
    engine = await engineWith(t.store, [flow(server.url)]); // intake only: no workers in this process
  });
  after(async () => {
    for (const child of workers.keys()) child.kill('SIGKILL');
    await server.close();
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    `${KILLS} SIGKILLs across ${WORKERS} workers: every event has one run, every run completes, every effect applies once`,
    { timeout: 240_000 },
    async () => {
      const url = (t.connection as { url: string }).url;
      for (let i = 0; i < WORKERS; i++) spawnWorker(url);

      // Events arrive while workers are being killed; each is delivered twice.
      const accepted = new Set<string>();
      const feeding = (async () => {
        for (let n = 0; n < EVENTS; n += 10) {
          const batch = Array.from({ length: 10 }, (_, i) => ({
            source: 'chaos',
            type: 'chaos.order',
            key: `order-${n + i}`,
            payload: { n: n + i },
          }));
          const answers = await Promise.all([...batch, ...batch].map((e) => engine.accept(e)));
          for (const a of answers) accepted.add(a.eventId);
          await new Promise((r) => setTimeout(r, 250)); // pacing the feed over the kill phase, not waiting for an outcome
        }
      })();

      let kills = 0;
      while (kills < KILLS) {
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 500)); // a random moment
        // Only workers that have had time to boot and claim runs: killing one mid-startup proves little.
        const victims = [...workers]
          .filter(([, startedAt]) => Date.now() - startedAt > 1_500)
          .map(([child]) => child);
        const victim = victims[Math.floor(Math.random() * victims.length)];
        if (!victim) continue;
        victim.kill('SIGKILL');
        kills++;
        spawnWorker(url);
      }
      await feeding;

      const deadline = Date.now() + 180_000;
      let counts: Record<string, number>;
      for (;;) {
        const rows = await sql<{
          status: string;
          n: number;
        }>`SELECT status, count(*)::int AS n FROM runs GROUP BY status`.execute(t.store.db);
        counts = Object.fromEntries(rows.rows.map((r) => [r.status, r.n]));
        if ((counts.completed ?? 0) === EVENTS || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250)); // polling the outcome with a deadline
      }

      assert.equal(kills, KILLS);
      assert.equal(accepted.size, EVENTS, 'each event id once, though every event was sent twice');
      const perEvent = await sql<{
        event_id: string;
        n: number;
      }>`SELECT event_id, count(*)::int AS n FROM runs GROUP BY event_id`.execute(t.store.db);
      assert.equal(perEvent.rows.length, EVENTS);
      assert.ok(
        perEvent.rows.every((r) => r.n === 1),
        'exactly one run per event',
      );
      assert.deepEqual(counts, { completed: EVENTS }, 'every run completed');

      const runIds = (await sql<{ id: string }>`SELECT id FROM runs`.execute(t.store.db)).rows.map(
        (r) => String(r.id),
      );
      const expected = runIds.flatMap((id) => [`${id}:reserve:0`, `${id}:ship:0`]).sort();
      assert.deepEqual(
        [...server.applied].sort(),
        expected,
        'each idempotency key took effect exactly once',
      );
      const arrivals = [...server.arrivals.values()].reduce((a, b) => a + b, 0);
      assert.equal(
        arrivals,
        server.applied.length + server.duplicates,
        'every repeated arrival was recognised as a duplicate',
      );
      console.log(
        `chaos: ${kills} kills, ${spawned} worker processes, ${EVENTS} runs, ${server.applied.length} effects applied once, ${server.duplicates} duplicate deliveries recognised`,
      );
    },
  );

  test(
    'a worker killed after the side effect and before its checkpoint: the retry is recognised as a duplicate, the effect stays single',
    { timeout: 60_000 },
    async () => {
      const url = (t.connection as { url: string }).url;
      for (const child of workers.keys()) child.kill('SIGKILL');
      const before = { applied: server.applied.length, duplicates: server.duplicates };
      server.holdAnswers = true;
      const effectApplied = new Promise<string>(
        (resolve) => (server.onApplied = (key) => key.includes(':reserve:') && resolve(key)),
      );
      const victim = spawnWorker(url);
      const { runIds } = await engine.accept({
        source: 'chaos',
        type: 'chaos.order',
        key: 'targeted-kill',
        payload: { n: -1 },
      });
      const key = await effectApplied; // the effect is done; the worker is waiting for the answer
      assert.equal(key, `${runIds[0]}:reserve:0`);
      victim.kill('SIGKILL');
      await new Promise((resolve) => victim.once('exit', resolve));
      server.onApplied = undefined;
      server.holdAnswers = false;
      spawnWorker(url); // takes the run over when the lease expires and calls again with the same key
      const deadline = Date.now() + 30_000;
      let status = '';
      while (status !== 'completed' && Date.now() < deadline) {
        status = String(
          (
            await sql<{ status: string }>`SELECT status FROM runs WHERE id = ${runIds[0]}`.execute(
              t.store.db,
            )
          ).rows[0]?.status,
        );
        if (status !== 'completed') await new Promise((r) => setTimeout(r, 100)); // polling the outcome with a deadline
      }
      assert.equal(status, 'completed');
      assert.equal(
        server.arrivals.get(key),
        2,
        'the call was made again after the crash, with the same key',
      );
      assert.equal(server.duplicates - before.duplicates, 1, 'and recognised as a duplicate');
      assert.equal(server.applied.filter((k) => k === key).length, 1, 'the effect took place once');
    },
  );
});
