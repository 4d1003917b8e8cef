/**
 * A Crossdock for the KPI tests: a test store, a ManualClock driving the engine, approvals,
 * the exception queue, the outbox and the connector stats recorder, and the HTTP API (with
 * the dashboard when given a built one). Runs are made to take exact times by a signal
 * wait: accept, move the clock, signal. Nothing sleeps.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiServices } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import { ApprovalsService, approvalStep, type Decider } from '../../src/approvals/index.ts';
import { AuditLog } from '../../src/audit/index.ts';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { ExceptionsService, type CaseType } from '../../src/exceptions/index.ts';
import { Notifications } from '../../src/notify/index.ts';
import { ConnectorStats, silentLogger } from '../../src/observability/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { testKeyring } from './support.ts';

/** Order release, reduced to its timing: the run waits until the test signals `released`. */
export const ORDER_RELEASE = `
id: order-release
trigger: { event: order.confirmed }
steps:
  - id: checks
    type: wait
    with: { signal: released }
  - id: release
    type: transform
    with: { released: true }
`;

/** A second workflow with the same shape, for the latency card's workflow parameter. */
export const DISPATCH = ORDER_RELEASE.replace('id: order-release', 'id: dispatch').replace(
  'order.confirmed',
  'picking.ready',
);

/** Prints when `ok` is true; otherwise no case matches and the run fails (a dead letter). */
export const LABEL_PRINT = `
id: label-print
trigger: { event: label.print }
steps:
  - id: route
    type: switch
    with:
      cases:
        - { when: "input.ok = true", next: print }
  - id: print
    type: transform
    with: { printed: true }
`;

/** One run at a time: with no worker to admit them, its runs stay queued. */
export const CARRIER_SYNC = `
id: carrier-sync
concurrency: { limit: 1 }
trigger: { event: carrier.sync }
steps:
  - id: sync
    type: transform
    with: { synced: true }
`;

export const PURCHASE_APPROVAL = `
id: purchase-approval
trigger: { event: purchase.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: purchase.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Purchase ' & event.payload.name"
      chain: "= event.payload.chain"
      chains:
        finance+director:
          - { name: finance, approvers: { group: finance }, sla_hours: 4 }
          - { name: director, approvers: { group: director }, sla_hours: 8 }
        manager:
          - { name: manager, approvers: { group: purchase-manager }, sla_hours: 2 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

const APPROVERS = [
  { email: 'fiona@acme.test', groups: ['finance'] },
  { email: 'dora@acme.test', groups: ['director'] },
  { email: 'pat@acme.test', groups: ['purchase-manager'] },
];

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface KpiInstance {
  t: TestStore;
  clock: ManualClock;
  engine: Engine;
  services: ApiServices;
  approvals: ApprovalsService;
  exceptions: ExceptionsService;
  notifications: Notifications;
  stats: ConnectorStats;
  api: FastifyInstance;
  base: string;
  /** Approvers by e-mail (finance, director, purchase-manager). */
  people: Record<string, Decider>;
  viewerEmail: string;
  /** Accepts an event (a key of its own) and returns the run it started. */
  accept(type: string, payload?: Record<string, unknown>): Promise<string>;
  /** A run of order.confirmed (or `type`) that takes exactly `ms` from creation to completion. */
  timedRun(ms: number, type?: string): Promise<string>;
  openCase(type: CaseType, title: string): Promise<string>;
  /** GET /api/v1/kpis?query as a viewer; throws unless 200. */
  kpis(query: string): Promise<any>;
  close(): Promise<void>;
}

export const VIEWER_PASSWORD = 'a long enough password';

export async function startKpiInstance(options: {
  start: string;
  dashboardDir?: string;
}): Promise<KpiInstance> {
  const t = await openTestStore();
  const clock = new ManualClock(options.start);
  const now = () => clock.now();
  const db = t.store.db as never;
  const logger = silentLogger();
  const approvals = new ApprovalsService({
    db,
    now,
    audit: new AuditLog(db, now),
    wake: () => t.store.wake(),
  });
  let engine: Engine | undefined;
  const exceptions = new ExceptionsService({
    db,
    now,
    audit: new AuditLog(db, now),
    runs: () => engine!.runs,
  });
  // A chat channel to queue for; the dispatcher is never started, so messages stay pending.
  const notifications = new Notifications({
    db,
    config: {
      smtp: null,
      chatWebhooks: { ops: 'http://127.0.0.1:9/hooks/ops' },
      pollIntervalMs: 600_000,
      maxAttempts: 5,
    },
    clock,
    logger,
  });
  const stats = new ConnectorStats({ db: t.store.db, now, logger });
  const steps = new StepRegistry([...engineStepTypes(), approvalStep(approvals)]);
  engine = await engineWith(
    t.store,
    [ORDER_RELEASE, DISPATCH, LABEL_PRINT, CARRIER_SYNC, PURCHASE_APPROVAL],
    { steps, clock, logger },
  );
  const running = engine;
  const services = servicesFor(engine, { keyring: testKeyring(), approvals, exceptions });
  const api = await buildApi({
    services,
    logger,
    maxBodyBytes: 64 * 1024,
    rateLimit: { perMinute: 100_000, loginPerMinute: 1000 },
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const people: Record<string, Decider> = {};
  for (const p of APPROVERS) {
    const user = await services.users.create({ email: p.email, role: 'approver' });
    await approvals.directory.setProfile(
      user.id,
      { groups: p.groups, managerId: null, odooUserId: null },
      now(),
    );
    people[p.email] = { userId: user.id, email: p.email, actor: `user:${user.id} ${p.email}` };
  }
  const viewerEmail = 'viewer@acme.test';
  const viewer = await services.users.create({
    email: viewerEmail,
    role: 'viewer',
    password: VIEWER_PASSWORD,
  });
  const { token } = await services.tokens.create(
    { id: viewer.id, role: 'viewer' },
    { name: 'kpi tests' },
    null,
  );
  engine.startWorkers(1);
  let keys = 0;
  const accept: KpiInstance['accept'] = async (type, payload = {}) => {
    const { runIds } = await running.accept({
      source: 'test',
      type,
      key: `kpi-${(keys += 1)}`,
      payload,
    });
    if (!runIds[0]) throw new Error(`no workflow started for ${type}`);
    return runIds[0];
  };
  return {
    t,
    clock,
    engine,
    services,
    approvals,
    exceptions,
    notifications,
    stats,
    api,
    base,
    people,
    viewerEmail,
    accept,
    async timedRun(ms, type = 'order.confirmed') {
      const runId = await accept(type);
      await waitForRun(running, runId, ['waiting']);
      clock.advance(ms);
      await running.runs.signal(runId, 'released', {});
      const done = await waitForRun(running, runId);
      if (done.status !== 'completed')
        throw new Error(`run ${runId} ${done.status}: ${JSON.stringify(done.error)}`);
      return runId;
    },
    async openCase(type, title) {
      return (await exceptions.openCase({ type, title }, { actor: 'test' })).case.id;
    },
    async kpis(query) {
      const response = await fetch(`${base}/api/v1/kpis?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await response.json();
      if (response.status !== 200)
        throw new Error(`GET /api/v1/kpis?${query}: ${response.status} ${JSON.stringify(body)}`);
      return body;
    },
    async close() {
      await api.close();
      services.metrics.close();
      await running.stopWorkers();
      await notifications.stop();
      await t.dispose();
    },
  };
}
