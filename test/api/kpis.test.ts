/**
 * GET /api/v1/kpis, the overview's cards, on a clock the test moves: order release latency
 * (p50/p90 over the range and per bucket), approvals by level, open exceptions by type and
 * age, queue depth, and connector stats added up from two recorders (two processes) on one
 * store. Runs on PGlite and on the PostgreSQL server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApi } from '../../src/api/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { parseCarrierConfigs } from '../../src/connectors/carriers/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { ConnectorStats, silentLogger } from '../../src/observability/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startCarrierSimulator, type CarrierSimulator } from '../../sim/carriers/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { shipment } from '../carriers/support.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { HOUR, MINUTE, startKpiInstance, type KpiInstance } from './kpi-support.ts';

describe('KPIs: latency, exceptions by type and age, queue depth, connector stats', () => {
  let h: KpiInstance;
  let deadLetterRun: string;
  before(async () => {
    h = await startKpiInstance({ start: '2026-01-04T07:00:00Z' });
    await h.openCase('check', 'Stock count differs (checked yesterday)');
    h.clock.advance(25 * HOUR); // 2026-01-05T08:00
    // Order release runs of 1, 2, 3, 4 and 10 minutes, one after the other: they complete
    // at 08:01, 08:03, 08:06, 08:10 and 08:20. One dispatch run of 45 s ends at 08:20:45.
    for (const minutes of [1, 2, 3, 4, 10]) await h.timedRun(minutes * MINUTE);
    await h.timedRun(45_000, 'picking.ready');
    deadLetterRun = await h.accept('label.print', { ok: false });
    assert.equal((await waitForRun(h.engine, deadLetterRun)).status, 'failed');
    // From here on no worker runs: what is due stays due.
    await h.engine.stopWorkers();
    h.clock.advance(2 * HOUR + 39 * MINUTE + 15_000); // 11:00
    await h.openCase('check', 'Replenishment overdue');
    h.clock.advance(HOUR); // 12:00
    await h.openCase('odoo_refusal', 'Odoo refused the delivery date');
    h.clock.advance(HOUR); // 13:00
    const raised = [];
    for (const n of [1, 2, 3])
      raised.push(await h.openCase('raised', `Carrier damage report ${n}`));
    await h.exceptions.resolve(raised[2]!, 'handled_manually', 'reshipped', { actor: 'test' });
    for (const n of [1, 2]) await h.accept('label.print', { ok: true, n });
    for (const n of [1, 2]) await h.accept('carrier.sync', { n });
    for (const n of [1, 2])
      await h.notifications.enqueue({
        dedupeKey: `kpi-note-${n}`,
        channel: 'chat',
        to: ['ops'],
        inline: { subject: 'Queue', text: `note ${n}` },
        data: {},
      });
    h.clock.advance(30 * MINUTE); // now: 2026-01-05T13:30
  });
  after(() => h.close());

  test('order release latency: p50 and p90 over the range and per 5-minute bucket, in ms', async () => {
    const k = await h.kpis('from=2026-01-05T08:00:00Z&to=2026-01-05T09:00:00Z&bucket=5m');
    assert.deepEqual(
      [k.latency.workflowId, k.latency.completed, k.latency.p50Ms, k.latency.p90Ms],
      ['order-release', 5, 180_000, 456_000],
    );
    assert.deepEqual(k.latency.series.count, [2, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(k.latency.series.p50Ms, [
      90_000,
      180_000,
      240_000,
      null,
      600_000,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    assert.deepEqual(k.latency.series.p90Ms.slice(0, 5), [
      114_000,
      180_000,
      240_000,
      null,
      600_000,
    ]);
  });

  test('the latency card follows the range and the workflow asked for; an unknown workflow is empty, not an error', async () => {
    const lastHour = await h.kpis('last=1h');
    assert.deepEqual(
      [lastHour.latency.completed, lastHour.latency.p50Ms, lastHour.latency.p90Ms],
      [0, null, null],
    );
    assert.equal(lastHour.latency.series.p50Ms.length, 60);
    const dispatch = await h.kpis(
      'from=2026-01-05T08:00:00Z&to=2026-01-05T09:00:00Z&latencyWorkflow=dispatch',
    );
    assert.deepEqual(
      [
        dispatch.latency.workflowId,
        dispatch.latency.completed,
        dispatch.latency.p50Ms,
        dispatch.latency.p90Ms,
      ],
      ['dispatch', 1, 45_000, 45_000],
    );
    const unknown = await h.kpis('last=24h&latencyWorkflow=no-such-workflow');
    assert.deepEqual(
      [unknown.latency.completed, unknown.latency.p50Ms, unknown.latency.p90Ms],
      [0, null, null],
    );
    assert.ok(unknown.latency.series.p90Ms.every((v: number | null) => v === null));
  });

  test('open exceptions as a matrix of type x age, as of now (a resolved case is not open)', async () => {
    const k = await h.kpis('last=1h');
    assert.equal(k.now, '2026-01-05T13:30:00.000Z');
    assert.deepEqual(k.exceptions.ageBuckets, ['< 1 h', '1-4 h', '4-24 h', '> 24 h']);
    assert.deepEqual(k.exceptions.byType, [
      { type: 'dead_letter', open: 1, byAge: [0, 0, 1, 0] },
      { type: 'odoo_refusal', open: 1, byAge: [0, 1, 0, 0] },
      { type: 'raised', open: 2, byAge: [2, 0, 0, 0] },
      { type: 'check', open: 2, byAge: [0, 1, 0, 1] },
      { type: 'event_conflict', open: 0, byAge: [0, 0, 0, 0] },
      { type: 'event_order', open: 0, byAge: [0, 0, 0, 0] },
    ]);
    assert.equal(k.exceptions.open, 6);
    assert.deepEqual(
      k.exceptions.byAge.map((b: { count: number }) => b.count),
      [2, 2, 1, 1],
    );
  });

  test('queue depth: runs due and not claimed, runs queued for admission, notifications pending, with the oldest', async () => {
    const k = await h.kpis('last=24h');
    assert.deepEqual(k.queue, {
      runsDue: 2,
      oldestDueMs: 30 * MINUTE,
      runsQueued: 2,
      notificationsPending: 2,
      oldestNotificationMs: 30 * MINUTE,
    });
  });

  test('two recorders (two processes) flushing into one store add up, per connector and minute', async () => {
    // On PostgreSQL the second recorder has its own connection pool, as another process would.
    const second: Store | null =
      h.t.connection.kind === 'postgres'
        ? await openStore({ kind: 'postgres', url: h.t.connection.url, poolSize: 2 })
        : null;
    try {
      const a = new ConnectorStats({
        db: h.t.store.db,
        now: () => h.clock.now(),
        logger: silentLogger(),
      });
      const b = new ConnectorStats({
        db: (second ?? h.t.store).db,
        now: () => h.clock.now(),
        logger: silentLogger(),
      });
      for (const ok of [true, true, true, false]) a.record('odoo:main', ok);
      for (const ok of [true, false, false]) b.record('odoo:main', ok);
      b.record('carrier:swiftpost', true);
      assert.deepEqual(await Promise.all([a.flush(), b.flush()]), [1, 2]);
      assert.equal(await a.flush(), 0, 'nothing left to write');
      h.clock.advance(MINUTE); // 13:31: the next minute's row
      a.record('odoo:main', false);
      b.record('odoo:main', true);
      await Promise.all([a.flush(), b.flush()]);
      const rows = await sql<{
        at: Date;
        connector: string;
        calls: string | number;
        errors: string | number;
      }>`
        SELECT bucket_start AS at, connector, calls, errors FROM connector_stats ORDER BY bucket_start, connector`.execute(
        h.t.store.db,
      );
      assert.deepEqual(
        rows.rows.map((r) => [
          new Date(r.at).toISOString(),
          r.connector,
          Number(r.calls),
          Number(r.errors),
        ]),
        [
          ['2026-01-05T13:30:00.000Z', 'carrier:swiftpost', 1, 0],
          ['2026-01-05T13:30:00.000Z', 'odoo:main', 7, 3],
          ['2026-01-05T13:31:00.000Z', 'odoo:main', 2, 1],
        ],
      );
      const k = await h.kpis('from=2026-01-05T13:00:00Z&to=2026-01-05T14:00:00Z&bucket=1m');
      assert.deepEqual(
        k.connectors.map(
          (c: { connector: string; calls: number; errors: number; errorRate: number }) => [
            c.connector,
            c.calls,
            c.errors,
            c.errorRate,
          ],
        ),
        [
          ['carrier:swiftpost', 1, 0, 0],
          ['odoo:main', 9, 4, 4 / 9],
        ],
      );
      const odoo = k.connectors[1];
      assert.deepEqual(
        [odoo.series.calls.slice(29, 33), odoo.series.errors.slice(29, 33)],
        [
          [0, 7, 2, 0],
          [0, 3, 1, 0],
        ],
      );
    } finally {
      await second?.close();
    }
  });

  test('a flush that fails keeps its counts for the next one', async () => {
    const stats = new ConnectorStats({
      db: h.t.store.db,
      now: () => h.clock.now(),
      logger: silentLogger(),
    });
    h.clock.advance(MINUTE); // 13:32, a minute no other test wrote
    stats.record('carrier:parcelnow', false);
    await sql`ALTER TABLE connector_stats RENAME TO connector_stats_away`.execute(h.t.store.db);
    try {
      await assert.rejects(stats.flush(), /connector_stats/);
    } finally {
      await sql`ALTER TABLE connector_stats_away RENAME TO connector_stats`.execute(h.t.store.db);
    }
    stats.record('carrier:parcelnow', true); // counted while the store was away
    assert.equal(await stats.flush(), 1);
    const row = (
      await sql<{ calls: string | number; errors: string | number }>`
      SELECT calls, errors FROM connector_stats WHERE connector = 'carrier:parcelnow' AND bucket_start = '2026-01-05T13:32:00Z'`.execute(
        h.t.store.db,
      )
    ).rows[0];
    assert.deepEqual([Number(row?.calls), Number(row?.errors)], [2, 1]);
  });
});

describe('KPIs: approvals waiting by level, past their SLA, longest wait', () => {
  let h: KpiInstance;
  before(async () => {
    h = await startKpiInstance({ start: '2026-01-05T08:00:00Z' });
    const review = async (id: number, chain: string) => {
      const runId = await h.accept('purchase.review', { id, name: `P0000${id}`, chain });
      await waitForRun(h.engine, runId, ['waiting']);
      return (await h.approvals.list({ status: 'pending' })).approvals.find(
        (a) => a.runId === runId,
      )!.id;
    };
    const first = await review(1, 'finance+director'); // finance due 12:00
    await review(2, 'manager'); // due 10:00
    h.clock.advance(HOUR);
    await review(3, 'finance+director'); // 09:00, finance due 13:00
    await review(4, 'finance+director');
    // No worker from here: the deadlines that pass are not yet looked at by a timer.
    await h.engine.stopWorkers();
    h.clock.advance(2 * HOUR); // 11:00
    await h.approvals.decide(first, h.people['fiona@acme.test']!, 'approve', null, 'api'); // on to director, due 19:00
    h.clock.advance(2 * HOUR + 30 * MINUTE); // now: 13:30
  });
  after(() => h.close());

  test('each current level: how many wait, how many are past the SLA, the longest wait at that level', async () => {
    const k = await h.kpis('last=24h');
    assert.deepEqual(k.approvals.byLevel, [
      { level: 'director', waiting: 1, breached: 0, oldestWaitMs: 2.5 * HOUR },
      { level: 'finance', waiting: 2, breached: 2, oldestWaitMs: 4.5 * HOUR },
      { level: 'manager', waiting: 1, breached: 1, oldestWaitMs: 5.5 * HOUR },
    ]);
    assert.deepEqual([k.approvals.waiting, k.approvals.breached], [4, 3]);
  });
});

/**
 * Through the composition root: createCrossdock counts every HTTP attempt of its Odoo
 * clients and carrier adapters against the simulators, with their faults, and the KPI is
 * what was counted. The Odoo retries wait 0 ms (the profile says so): nothing sleeps.
 */
describe('KPIs: integration error rate per connector, from real calls wired by createCrossdock', () => {
  let odooSim: OdooSimulator;
  let carrierSim: CarrierSimulator;
  let t: TestStore<Reachable>;
  let crossdock: Crossdock;
  let api: FastifyInstance;
  let dir: string;
  let token: string;
  const clock = new ManualClock('2026-01-05T08:00:00Z');

  before(async () => {
    [odooSim, carrierSim, t] = await Promise.all([
      startOdooSimulator(),
      startCarrierSimulator(),
      openTestStore({ onDisk: true }),
    ]);
    if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
    dir = mkdtempSync(join(tmpdir(), 'crossdock-kpi-'));
    writeFileSync(
      join(dir, 'odoo.yaml'),
      `
public_url: http://127.0.0.1:1
connections:
  - { name: main, url: "${odooSim.url}", database: ${odooSim.database}, login: admin, api_key_env: KPI_ODOO_KEY, protocol: jsonrpc, retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } }
`,
    );
    process.env.KPI_ODOO_KEY = odooSim.users.find((u) => u.login === 'admin')!.apiKeys[0]!;
    const config = loadConfig({
      ...(t.connection.kind === 'postgres'
        ? { DATABASE_URL: t.connection.url }
        : { CROSSDOCK_DATA_DIR: t.connection.dataDir }),
      CROSSDOCK_STATE_DIR: dir,
      CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      LOG_LEVEL: 'silent',
    });
    const carriers = parseCarrierConfigs(
      carrierSim.profiles.map((p) => carrierSim.carrierConfig(p.code)),
    );
    crossdock = await createCrossdock(config, {
      clock,
      logger: silentLogger(),
      migrate: false,
      carriers,
    });
    api = await buildApi({
      services: crossdock.services,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      rateLimit: { perMinute: 100_000, loginPerMinute: 1000 },
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const viewer = await crossdock.services.users.create({
      email: 'viewer@acme.test',
      role: 'viewer',
      password: 'a long enough password',
    });
    token = (
      await crossdock.services.tokens.create(
        { id: viewer.id, role: 'viewer' },
        { name: 'kpi' },
        null,
      )
    ).token;
  });
  after(async () => {
    await api?.close();
    await crossdock?.close();
    await Promise.all([odooSim?.close(), carrierSim?.close()]);
    await t?.dispose().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('calls and errors per Odoo connection and per carrier, per minute; a connector never called is not listed', async () => {
    const odoo = crossdock.odoo!.clients('main');
    // 08:00. Authenticate and one read: 2 calls. Two 502s then the answer: 3 calls, 2 errors.
    // A refusal (no such model), not retried: 1 call, 1 error.
    await odoo.call('res.partner', 'search_count', [[]]);
    odooSim.faults.failNextRequests(2, 502);
    await odoo.call('res.partner', 'search_count', [[]]);
    await assert.rejects(odoo.call('no.such.model', 'search_count', [[]]));
    const carriers = crossdock.carriers!.registry;
    const s = shipment();
    await carriers.get('swiftpost').rates(s);
    carrierSim.faults.failNext('swiftpost', 1, { kind: 'server-error', status: 503 }, 'rates');
    await assert.rejects(carriers.get('swiftpost').rates(s), { code: 'CARRIER_SERVER_ERROR' });
    carrierSim.faults.failNext('swiftpost', 1, { kind: 'rate-limit', retryAfterS: 30 }, 'rates');
    await assert.rejects(carriers.get('swiftpost').rates(s), { code: 'CARRIER_RATE_LIMITED' });
    await carriers.get('parcelnow').rates(s);
    carrierSim.faults.failNext('parcelnow', 1, { kind: 'reject', reason: 'depot closed' }, 'book');
    await assert.rejects(carriers.get('parcelnow').book(s, { idempotencyKey: 'kpi-book-1' }), {
      code: 'CARRIER_BOOKING_REJECTED',
    });
    carrierSim.faults.failNext('euroline', 1, { kind: 'reset' }, 'rates');
    await assert.rejects(carriers.get('euroline').rates(s), { code: 'CARRIER_UNAVAILABLE' });
    clock.advance(MINUTE); // 08:01: one more read
    await odoo.call('res.partner', 'search_count', [[]]);
    await crossdock.connectorStats.flush();

    const response = await fetch(
      `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/api/v1/kpis?from=2026-01-05T08:00:00Z&to=2026-01-05T08:05:00Z&bucket=1m`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    assert.equal(response.status, 200);
    const k = (await response.json()) as {
      connectors: {
        connector: string;
        calls: number;
        errors: number;
        errorRate: number;
        series: { calls: number[]; errors: number[] };
      }[];
    };
    assert.deepEqual(
      k.connectors.map((c) => [c.connector, c.calls, c.errors, c.errorRate]),
      [
        ['carrier:euroline', 1, 1, 1],
        ['carrier:parcelnow', 2, 1, 0.5],
        ['carrier:swiftpost', 3, 2, 2 / 3],
        ['odoo:main', 7, 3, 3 / 7],
      ],
    );
    const main = k.connectors.find((c) => c.connector === 'odoo:main')!;
    assert.deepEqual(main.series, { calls: [6, 1, 0, 0, 0], errors: [3, 0, 0, 0, 0] });
    assert.equal(
      carrierSim.calls.count({ carrier: 'swiftpost' }),
      3,
      'one counted call per HTTP request the carrier saw',
    );
  });
});
