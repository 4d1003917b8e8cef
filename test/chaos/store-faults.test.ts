import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApi, type ApiServices } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import type { Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { testKeyring } from '../api/support.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith } from '../support/engine.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';

/**
 * The database misbehaves under load: backends are terminated (pg_terminate_backend) again
 * and again, the server is restarted, and it is stopped for a while. PostgreSQL only (the
 * embedded store has no server to lose), on a private server the test starts, so restarting
 * it disturbs nobody. Events arrive over the API the whole time, each delivered twice.
 * Afterwards: no worker process died, the API never answered 500 (503 with Retry-After
 * while the store was away), every accepted event has exactly one run, each run ended once
 * as its input says (one in ten dead-letters on purpose), each side effect took place once,
 * each dead letter opened one case, and the audit chain verifies.
 */
const EVENTS = Number(process.env.CHAOS_STORE_EVENTS ?? 200);
const WORKERS = 2;

const flow = (url: string) => `
id: faults
trigger: { event: faults.order }
steps:
  - id: check
    type: transform
    with: { ok: "= input.n % 10 = 0 ? $error('order ' & input.n & ' refused') : true" }
  - id: reserve
    type: http.request
    with: { method: POST, url: "${url}/reserve", body: { order: "= input.n" }, timeout_ms: 5000 }
    retry: { max_attempts: 20, initial_delay_ms: 50, max_delay_ms: 500 }
  - id: finish
    type: transform
    with: { reserved: "= steps.reserve.output.body.accepted" }
`;

describe('chaos: PostgreSQL backends terminated, the server restarted and stopped, under load', () => {
  let server: PrivatePostgres;
  let store: Store;
  let counting: CountingServer;
  let engine: Engine;
  let services: ApiServices;
  let api: FastifyInstance;
  let base: string;
  let token: string;
  let dir: string;
  const workers: ChildProcess[] = [];
  const exits: string[] = [];

  before(async () => {
    server = await startPrivatePostgres();
    store = await openStore({ kind: 'postgres', url: server.url, poolSize: 10 });
    await store.migrate();
    counting = await startCountingServer({ delayMs: 20 });
    dir = mkdtempSync(join(tmpdir(), 'crossdock-chaos-store-'));
    writeFileSync(join(dir, 'faults.yaml'), flow(counting.url));
    engine = await engineWith(store, [flow(counting.url)]); // intake and API only; the workers are processes
    services = servicesFor(engine, { keyring: testKeyring() });
    api = await buildApi({
      services,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      rateLimit: { perMinute: 1_000_000, loginPerMinute: 1000 },
      dashboardDir: null,
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    const user = await services.users.create({
      email: 'feeder@test.example',
      role: 'integrator',
      password: 'a long enough password',
    });
    token = (
      await services.tokens.create({ id: user.id, role: 'integrator' }, { name: 'feeder' }, null)
    ).token;
    // The faults begin once every worker runs (one that cannot reach the store at start exits 3, by design).
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => spawnWorker(i)));
  });

  /** A `crossdock worker` process; resolves once it says its workers started. */
  function spawnWorker(i: number): Promise<void> {
    const child = spawn(process.execPath, ['bin/crossdock.js', 'worker', '--workflows', dir], {
      env: {
        ...process.env,
        DATABASE_URL: server.url,
        CROSSDOCK_LEASE_MS: '3000',
        CROSSDOCK_POLL_INTERVAL_MS: '100',
        CROSSDOCK_WORKER_CONCURRENCY: '20',
        LOG_LEVEL: 'info',
        CROSSDOCK_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(child);
    return new Promise((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen = (seen + chunk.toString()).slice(-4096);
        if (seen.includes('"workers started"')) resolve();
      });
      child.once('exit', (code, signal) => {
        exits.push(`worker ${i} exited (${code ?? signal})`);
        reject(new Error(`worker ${i} exited (${code ?? signal}) before it started`));
      });
    });
  }

  after(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await api?.close();
    services?.metrics.close();
    await store?.close();
    await counting?.close();
    server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends one event until it is accepted; every refusal must be a 503 with Retry-After. */
  const statuses = new Map<number, number>();
  async function deliver(n: number): Promise<string> {
    for (;;) {
      const answer = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          source: 'shop',
          type: 'faults.order',
          key: `order-${n}`,
          payload: { n },
        }),
      }).catch(() => null);
      if (!answer) continue;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const body = (await answer.json()) as { eventId?: string; error?: { code: string } };
      if (answer.status === 202 || answer.status === 200) return body.eventId!; // 200: a duplicate
      assert.equal(answer.status, 503, `event ${n}: ${answer.status} ${JSON.stringify(body)}`);
      assert.ok(Number(answer.headers.get('retry-after')) >= 1, 'a 503 says when to come back');
      await new Promise((r) => setTimeout(r, 200)); // shorter than Retry-After, to keep the test quick
    }
  }

  /** Terminates every backend of the test's database except the caller's own. */
  async function terminateBackends(): Promise<number> {
    const admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      const killed = await admin.query(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend') t`,
      );
      return killed.rows[0].n as number;
    } catch {
      return 0; // the server is restarting
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  test(
    `${EVENTS} events while backends are terminated, the server restarts and stops: nothing lost, nothing doubled`,
    { timeout: 300_000 },
    async () => {
      const accepted = new Set<string>();
      let feedingDone = false;
      const feeding = (async () => {
        for (let n = 0; n < EVENTS; n += 10) {
          const ids = await Promise.all(
            Array.from({ length: 20 }, (_, i) => deliver(n + (i % 10))),
          ); // each event twice
          ids.forEach((id) => accepted.add(id));
        }
        feedingDone = true;
      })();

      let terminated = 0;
      let rounds = 0;
      while (!feedingDone || rounds < 12) {
        rounds++;
        await new Promise((r) => setTimeout(r, 300)); // between two faults: the load keeps running
        if (rounds === 6) server.restart();
        else if (rounds === 10) {
          server.stop('immediate');
          const refused = await fetch(`${base}/readyz`);
          assert.equal(refused.status, 503, 'readiness says the store is away');
          assert.equal(refused.headers.get('retry-after'), '5');
          await new Promise((r) => setTimeout(r, 1_500)); // the outage lasts a moment, whatever the test does
          server.start();
        } else terminated += await terminateBackends();
        if (rounds > 400) break;
      }
      await feeding;

      const deadline = Date.now() + 180_000;
      let counts: Record<string, number> = {};
      while (Date.now() < deadline) {
        const rows = await sql<{
          status: string;
          n: number;
        }>`SELECT status, count(*)::int AS n FROM runs GROUP BY status`
          .execute(store.db)
          .catch(() => null);
        counts = Object.fromEntries((rows?.rows ?? []).map((r) => [r.status, r.n]));
        if ((counts.completed ?? 0) + (counts.failed ?? 0) === EVENTS) break;
        await new Promise((r) => setTimeout(r, 250)); // polling the outcome with a deadline
      }

      assert.deepEqual(exits, [], 'no worker process died');
      assert.equal(statuses.get(500), undefined, 'the API never answered 500');
      assert.ok(terminated > 0, 'backends were terminated');
      assert.equal(accepted.size, EVENTS, 'each event id once, though every event was sent twice');
      const perEvent = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM runs GROUP BY event_id`.execute(store.db);
      assert.equal(perEvent.rows.length, EVENTS);
      assert.ok(
        perEvent.rows.every((r) => r.n === 1),
        'exactly one run per event',
      );
      assert.deepEqual(
        counts,
        { completed: EVENTS * 0.9, failed: EVENTS / 10 },
        'every run ended, and only the refused ones failed',
      );

      const runs = (
        await sql<{
          id: string;
          status: string;
          n: number;
        }>`SELECT r.id, r.status, (r.input->>'n')::int AS n FROM runs r`.execute(store.db)
      ).rows;
      assert.ok(
        runs.every((r) => (r.status === 'failed') === (r.n % 10 === 0)),
        'a run failed only because its order was refused, never because the store blinked',
      );
      const finished = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM run_steps WHERE step_id = 'finish' AND status = 'completed' GROUP BY run_id`.execute(
        store.db,
      );
      assert.equal(finished.rows.length, EVENTS * 0.9);
      assert.ok(
        finished.rows.every((r) => r.n === 1),
        'each run completed once',
      );
      const expected = runs
        .filter((r) => r.status === 'completed')
        .map((r) => `${r.id}:reserve:0`)
        .sort();
      assert.deepEqual([...counting.applied].sort(), expected, 'each side effect took place once');

      const cases = await sql<{
        run_id: string;
        n: number;
      }>`SELECT run_id, count(*)::int AS n FROM exception_cases GROUP BY run_id`.execute(store.db);
      assert.equal(cases.rows.length, EVENTS / 10);
      assert.ok(
        cases.rows.every((c) => c.n === 1),
        'one case per dead letter',
      );
      const opened = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'exception.open'`.execute(
        store.db,
      );
      assert.equal(opened.rows[0]!.n, EVENTS / 10, 'each case opening audited once');
      const verified = await services.audit.verify();
      assert.equal(verified.ok, true, JSON.stringify(verified));
      console.log(
        `chaos (store): ${terminated} backends terminated, 1 restart, 1 stop; answers ${JSON.stringify(Object.fromEntries(statuses))}; ${EVENTS} runs, ${counting.duplicates} repeated calls recognised`,
      );
    },
  );
});
