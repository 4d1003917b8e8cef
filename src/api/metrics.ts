import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineEvents } from '../engine/index.ts';
import { eventCountsByField, FINDING_TYPES, type Database } from '../store/index.ts';

export interface Metrics {
  readonly registry: Registry;
  /** A refused event or webhook delivery (bad input, bad signature, ...). */
  eventRejected(source: string, code: string): void;
  /** Prometheus text exposition: this instance's metrics, and the process's once served. */
  render(): Promise<string>;
  readonly contentType: string;
  /** From now on render() includes the process's metrics (CPU, memory, event loop lag, GC). */
  serveProcessMetrics(): void;
  close(): void;
}

/**
 * The process's own metrics, one set per process however many instances it runs (they
 * describe the process, not an instance), made when the first instance starts serving
 * /metrics. prom-client's collectors cannot be stopped: its event-loop monitor wakes the
 * process every 10 ms, and it and its GC observer were made by every instance, served or
 * not, and lasted as long as the process (a `crossdock worker` at rest: 14-24 ms of CPU a
 * second with them, 6-12 without; bench/RESULTS.md).
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'crossdock_process_' });
  }
  return processRegistry;
}

/**
 * Prometheus metrics for one Crossdock instance (its own registry: two instances in one
 * process do not share counters). Counters and histograms are fed by the engine's typed
 * events; run counts by state and the queue's depth and age are read from the store at
 * scrape time, so they are right across every worker process.
 */
export function createMetrics(deps: { events: EngineEvents; db: Kysely<Database> }): Metrics {
  const registry = new Registry();
  let ofProcess: Registry | undefined;
  const accepted = new Counter({
    name: 'crossdock_events_accepted_total',
    help: 'Events durably accepted, by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'crossdock_events_duplicate_total',
    help: 'Deliveries recognised as duplicates (nothing started), by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'crossdock_event_key_conflicts_total',
    help: 'Deliveries that reused an event key with a different payload (recorded, nothing started), by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const held = new Counter({
    name: 'crossdock_events_out_of_order_total',
    help: 'Events a workflow did not start on because they came out of order, by workflow and what happened (skipped, parked, case)',
    labelNames: ['workflow', 'status'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'crossdock_events_rejected_total',
    help: 'Events and webhook deliveries refused, by source and error code',
    labelNames: ['source', 'code'],
    registers: [registry],
  });
  const runsStarted = new Counter({
    name: 'crossdock_runs_started_total',
    help: 'Runs started, by workflow',
    labelNames: ['workflow'],
    registers: [registry],
  });
  const runsEnded = new Counter({
    name: 'crossdock_runs_ended_total',
    help: 'Runs ended in this process, by workflow and outcome',
    labelNames: ['workflow', 'status'],
    registers: [registry],
  });
  const stepSeconds = new Histogram({
    name: 'crossdock_step_duration_seconds',
    help: 'Step execution time, by workflow and step',
    labelNames: ['workflow', 'step'],
    registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const retries = new Counter({
    name: 'crossdock_step_retries_total',
    help: 'Step attempts that failed and will be retried',
    labelNames: ['workflow', 'step'],
    registers: [registry],
  });
  const stepErrors = new Counter({
    name: 'crossdock_step_errors_total',
    help: 'Step failures (connector errors among them), by workflow and error code',
    labelNames: ['workflow', 'code'],
    registers: [registry],
  });

  new Gauge({
    name: 'crossdock_runs',
    help: 'Runs in the store, by workflow and status',
    labelNames: ['workflow', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{
        workflow_id: string;
        status: string;
        n: string | number;
      }>`SELECT workflow_id, status, count(*) AS n FROM runs GROUP BY workflow_id, status`.execute(
        deps.db,
      );
      for (const r of rows.rows)
        this.set({ workflow: r.workflow_id, status: r.status }, Number(r.n));
    },
  });
  const queue = async () =>
    (
      await sql<{ n: string | number; oldest: Date | string | null }>`
      SELECT count(*) AS n, min(available_at) AS oldest FROM runs WHERE status IN ('ready', 'waiting') AND available_at <= now()`.execute(
        deps.db,
      )
    ).rows[0];
  new Gauge({
    name: 'crossdock_queue_depth',
    help: 'Runs due now and not yet claimed',
    registers: [registry],
    async collect() {
      this.set(Number((await queue())?.n ?? 0));
    },
  });
  new Gauge({
    name: 'crossdock_queue_oldest_ready_age_seconds',
    help: 'How long the oldest due run has been waiting for a worker',
    registers: [registry],
    async collect() {
      const oldest = (await queue())?.oldest;
      this.set(oldest ? Math.max(0, (Date.now() - new Date(oldest).getTime()) / 1000) : 0);
    },
  });

  // Each fall-through the reconciliation sweep found, once (its ledger: reconcile.finding events).
  new Gauge({
    name: 'crossdock_reconcile_findings',
    help: 'Fall-throughs found by the reconciliation sweep (Odoo records the packs missed), each counted once, by finding type',
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      const counts = await eventCountsByField(deps.db, 'crossdock', 'reconcile.finding', 'finding');
      for (const type of FINDING_TYPES) this.set({ type }, counts.get(type) ?? 0);
    },
  });

  // Approvals that will not be decided or seen unless someone acts (see docs/APPROVALS.md).
  const attention = async (where: ReturnType<typeof sql>) =>
    (
      await sql<{
        workflow_id: string;
        n: string | number;
      }>`SELECT r.workflow_id, count(*) AS n FROM approval_requests r JOIN runs ON runs.id = r.run_id
      WHERE r.status = 'pending' AND runs.status NOT IN ('completed', 'failed', 'cancelled') AND ${where} GROUP BY r.workflow_id`.execute(
        deps.db,
      )
    ).rows;
  new Gauge({
    name: 'crossdock_approvals_without_approver',
    help: 'Pending approval requests whose current level nobody may decide (empty group, or all excluded by segregation of duties), by workflow',
    labelNames: ['workflow'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await attention(sql`jsonb_array_length(r.assignees) = 0`))
        this.set({ workflow: r.workflow_id }, Number(r.n));
    },
  });
  new Gauge({
    name: 'crossdock_approvals_not_notified',
    help: 'Pending approval requests with approvers who were not told of their current level (no mail transport, no e-mail address), by workflow',
    labelNames: ['workflow'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await attention(
        sql`EXISTS (SELECT 1 FROM jsonb_array_elements(r.assignees) a WHERE a ? 'unnotified')`,
      ))
        this.set({ workflow: r.workflow_id }, Number(r.n));
    },
  });

  const offs = [
    deps.events.on('event:accepted', (e) => accepted.inc({ source: e.source })),
    deps.events.on('event:duplicate', (e) => duplicates.inc({ source: e.source })),
    deps.events.on('event:conflict', (e) => conflicts.inc({ source: e.source })),
    deps.events.on('event:held', (e) => held.inc({ workflow: e.workflowId, status: e.status })),
    deps.events.on('run:started', (e) => runsStarted.inc({ workflow: e.workflowId })),
    deps.events.on('run:completed', (e) =>
      runsEnded.inc({ workflow: e.workflowId, status: 'completed' }),
    ),
    deps.events.on('run:failed', (e) =>
      runsEnded.inc({ workflow: e.workflowId, status: 'failed' }),
    ),
    deps.events.on('run:cancelled', (e) =>
      runsEnded.inc({ workflow: e.workflowId, status: 'cancelled' }),
    ),
    deps.events.on('step:completed', (e) =>
      stepSeconds.observe({ workflow: e.workflowId, step: e.stepId }, e.durationMs / 1000),
    ),
    deps.events.on('step:failed', (e) => {
      stepErrors.inc({ workflow: e.workflowId, code: e.error.code });
      if (e.willRetry) retries.inc({ workflow: e.workflowId, step: e.stepId });
    }),
  ];
  return {
    registry,
    eventRejected: (source, code) => rejected.inc({ source: source.slice(0, 64), code }),
    render: async () =>
      ofProcess ? `${await registry.metrics()}\n${await ofProcess.metrics()}` : registry.metrics(),
    contentType: registry.contentType,
    serveProcessMetrics: () => void (ofProcess = processMetrics()),
    close: () => offs.forEach((off) => off()),
  };
}
