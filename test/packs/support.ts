import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createOutput } from '../../src/cli/output.ts';
import { startDemoSystem, type DemoSystem } from '../../src/demo/system.ts';
import { systemClock, type Clock, type RunDetail } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { IN_MEMORY } from '../../src/store/index.ts';
import type { CarrierProfile } from '../../sim/carriers/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually } from '../support/eventually.ts';
import { TEST_ODOO } from '../support/odoo-mode.ts';
import { createTestDatabase, dropTestDatabase, TEST_STORE_KIND } from '../support/stores.ts';

export { eventually };

/** Real time that a test can move ahead ("4 hours later") without waiting for it. */
export class JumpingClock implements Clock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export const HOUR = 3_600_000;

export interface PackHarness extends DemoSystem {
  /** Creates and confirms an order as the salesperson (Odoo uid 8); Odoo then sends its webhook. */
  /** `customer`: a demo customer's name (its start), or an Odoo partner id. */
  /** `fields`: more of the sale order's fields (commitment_date: naive UTC, as Odoo writes it). */
  placeOrder(
    customer: string | number,
    lines: [product: string, qty: number][],
    fields?: Record<string, unknown>,
  ): Promise<{ id: number; name: string }>;
  /** The run of a workflow for an order (order-release: the order id; dispatch: input.order_id), once it exists and reaches one of `statuses`. */
  runFor(
    workflow: 'order-release' | 'dispatch',
    orderId: number,
    statuses?: string[],
  ): Promise<RunDetail>;
  /** Step ids the run completed, in order. */
  path(run: RunDetail): string[];
  /** Reads over RPC, as an Odoo user would see it. */
  rpc<T>(
    model: string,
    method: string,
    args: unknown[],
    kwargs?: Record<string, unknown>,
  ): Promise<T>;
  /** Chatter bodies on a record, oldest first. */
  chatter(model: string, id: number): Promise<string[]>;
  pendingRequestFor(runId: string): Promise<{ id: string; level: string; assignees: string[] }>;
  wake(): void;
  /** Resolves once no run is being worked and none is due within a minute, before and after a round of the Odoo pollers: the simulators' state then moves only by what the test does. */
  settled(): Promise<void>;
}

const ENDED_OR_WAITING = ['completed', 'failed', 'cancelled', 'waiting'];

export async function packHarness(
  options: {
    clock?: Clock;
    carrierProfiles?: readonly CarrierProfile[];
    /** How often the Odoo poller looks (default the demo's 5 s). */
    odooPollIntervalMs?: number;
    /** A built dashboard for the instance to serve (browser tests). */
    dashboardDir?: string;
    /** More of Crossdock's configuration (CROSSDOCK_LEASE_MS, ...). */
    env?: Record<string, string>;
  } = {},
): Promise<PackHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-packs-'));
  const database = TEST_STORE_KIND === 'postgres' ? await createTestDatabase() : null;
  const system = await startDemoSystem({
    dir: join(dir, 'demo'),
    port: 0,
    logger: silentLogger(),
    out: createOutput(false),
    randomCarrierFailures: false,
    seed: 7,
    odoo: TEST_ODOO,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.carrierProfiles ? { carrierProfiles: options.carrierProfiles } : {}),
    ...(options.odooPollIntervalMs ? { odooPollIntervalMs: options.odooPollIntervalMs } : {}),
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    // On a PostgreSQL server no secrets key is made on its own: the test gives one (step-up
    // approvals seal with it). The embedded store is kept in memory, as test stores are
    // (test/support/stores.ts); `npm start`'s own, on disk, is the demo screens test's.
    env: {
      ...(database
        ? { DATABASE_URL: database, CROSSDOCK_SECRETS_KEY: randomBytes(32).toString('base64') }
        : { CROSSDOCK_DATA_DIR: IN_MEMORY }),
      ...options.env,
    },
  });
  const db = system.crossdock.store.db;
  const { engine } = system.crossdock;
  const client = system.crossdock.odoo!.clients('odoo');
  if (system.odoo.version !== TEST_ODOO.version || client.protocol !== TEST_ODOO.protocol)
    fail(
      `the packs run on Odoo ${system.odoo.version} over ${client.protocol}, not as CROSSDOCK_TEST_ODOO asks`,
    );
  const product = (name: string) =>
    system.catalog.products.find((p) => p.name.startsWith(name)) ?? fail(`no demo product ${name}`);
  const customer = (name: string) =>
    system.catalog.customers.find((c) => c.name.startsWith(name)) ??
    fail(`no demo customer ${name}`);

  /** Resolves once `find` returns a run id; looked up again on every run event, and at most every 50 ms, for 30 s. */
  const runIdWhen = (find: () => Promise<string | undefined>) =>
    new Promise<string>((resolve, reject) => {
      let done = false;
      const offs = (['run:started', 'run:completed', 'run:failed', 'run:waiting'] as const).map(
        (name) => engine.events.on(name, () => void look()),
      );
      const timer = setInterval(() => void look(), 50);
      const deadline = setTimeout(() => finish(new Error('no such run within 30 s')), 30_000);
      function finish(error: Error | null, id?: string) {
        if (done) return;
        done = true;
        offs.forEach((off) => off());
        clearInterval(timer);
        clearTimeout(deadline);
        error ? reject(error) : resolve(id!);
      }
      async function look() {
        const id = await find().catch(() => undefined);
        if (id !== undefined) finish(null, id);
      }
      void look();
    });

  const harness: PackHarness = {
    ...system,
    async placeOrder(customerName, lines, fields = {}) {
      const uid = system.catalog.salespersonUid;
      const orderLines = lines.map(([name, qty]) => [
        0,
        0,
        { product_id: product(name).id, product_uom_qty: qty },
      ]);
      const id = (await system.odoo.db.call(
        'sale.order',
        'create',
        [
          {
            partner_id: typeof customerName === 'number' ? customerName : customer(customerName).id,
            user_id: uid,
            order_line: orderLines,
            ...fields,
          },
        ],
        {},
        uid,
      )) as number;
      await system.odoo.db.call('sale.order', 'action_confirm', [[id]], {}, uid);
      const [row] = system.odoo.db.searchRead('sale.order', [['id', '=', id]], ['name']);
      return { id, name: String(row!.name) };
    },
    async runFor(workflow, orderId, statuses = ENDED_OR_WAITING) {
      const field = workflow === 'order-release' ? 'id' : 'order_id';
      const runId = await runIdWhen(async () => {
        const r = await sql<{
          id: string;
        }>`SELECT id FROM runs WHERE workflow_id = ${workflow} AND input->>${field} = ${String(orderId)} ORDER BY id LIMIT 1`.execute(
          db,
        );
        return r.rows[0] ? String(r.rows[0].id) : undefined;
      });
      return waitForRun(engine, runId, statuses, 60_000);
    },
    path: (run) => run.steps.filter((s) => s.status === 'completed').map((s) => s.stepId),
    rpc: (model, method, args, kwargs = {}) => client.call(model, method, args, kwargs),
    async chatter(model, id) {
      const messages = await client.call<{ body: string }[]>(
        'mail.message',
        'search_read',
        [
          [
            ['model', '=', model],
            ['res_id', '=', id],
            ['message_type', '=', 'comment'],
          ],
        ],
        { fields: ['body'], order: 'id asc' },
      );
      return messages.map((m) => m.body.replace(/<[^>]+>/g, ''));
    },
    async pendingRequestFor(runId) {
      const { approvals } = await system.crossdock.services.approvals.list({ status: 'pending' });
      const request =
        approvals.find((a) => a.runId === runId) ??
        fail(`run ${runId} has no pending approval request`);
      return {
        id: request.id,
        level: request.level.name,
        assignees: request.level.assignees.map((a) => a.email),
      };
    },
    wake: () => engine.wake(),
    async settled() {
      const clock = options.clock ?? systemClock;
      const now = () => clock.now();
      const busy = async () =>
        Number(
          (
            await sql<{ n: string }>`SELECT count(*) AS n FROM runs
              WHERE status IN ('queued', 'ready', 'running')
                 OR (status = 'waiting' AND available_at < ${new Date(now().getTime() + 60_000)})`.execute(
              db,
            )
          ).rows[0]!.n,
        ) > 0;
      // An Odoo poll may still start a run for a change an earlier step made: quiet, then every
      // poller has looked since, then still quiet. (A harness that polls hours apart, to leave
      // Odoo's changes to its test, has no poll round to wait for.)
      const polls = (options.odooPollIntervalMs ?? 5_000) <= 30_000;
      await eventually('no run being worked or due within a minute', async () => {
        if (await busy()) return false;
        if (!polls) return true;
        const quietAt = now();
        await eventually('every Odoo poller looked again', async () => {
          const stale = await sql<{ n: string }>`SELECT count(*) AS n FROM odoo_poll_cursors
            WHERE updated_at <= ${quietAt}`.execute(db);
          return Number(stale.rows[0]!.n) === 0;
        });
        return !(await busy());
      });
    },
    async close() {
      await system.close();
      if (database) await dropTestDatabase(database);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // On start the scheduler fires the latest slot of each schedule once (a slot missed while
  // nothing ran: the hourly reconciliation sweep among them), a second or so later. Fire them
  // now and let what they start end: no test's own changes race a start-up run.
  await engine.scheduler.tick();
  await eventually('the runs the start-up schedule began have ended', async () => {
    const active = await sql<{ n: string }>`SELECT count(*) AS n FROM runs
      WHERE status IN ('queued', 'ready', 'running')`.execute(db);
    return Number(active.rows[0]!.n) === 0;
  });
  return harness;
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Places an order and lets the packs ship it, deliver it with its proof (the carrier's
 * "delivered") and post its invoice; returns the order, its delivery and the posted invoice.
 */
export async function invoicedOrder(
  h: PackHarness,
  customer: string,
  lines: [string, number][],
): Promise<{
  order: { id: number; name: string };
  delivery: { id: number; name: string };
  invoice: { id: number; name: string; amount_total: number };
}> {
  return deliverAndInvoice(h, await h.placeOrder(customer, lines));
}

/** A confirmed order (its release under way) dispatched, delivered and so invoiced by the packs. */
export async function deliverAndInvoice(
  h: PackHarness,
  order: { id: number; name: string },
): Promise<{
  order: { id: number; name: string };
  delivery: { id: number; name: string };
  invoice: { id: number; name: string; amount_total: number };
}> {
  const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
  assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
  const [delivery] = await h.rpc<{ id: number; name: string }[]>(
    'stock.picking',
    'search_read',
    [
      [
        ['sale_id', '=', order.id],
        ['picking_type_code', '=', 'outgoing'],
      ],
    ],
    { fields: ['name'] },
  );
  const booking = h.carriers.profiles
    .flatMap((p) =>
      h.carriers
        .bookings(p.code)
        .filter((b) => b.reference === delivery!.name)
        .map((b) => ({ carrier: p.code, ...b })),
    )
    .at(0)!;
  await h.carriers.sendTracking(booking.carrier, {
    tracking_ref: booking.tracking_ref,
    status: 'delivered',
    signed_by: 'R. Receiver',
    proof_ref: `https://pod.test/${booking.tracking_ref}.jpg`,
  });
  const invoice = await eventually(`the posted invoice of ${order.name}`, async () =>
    (
      await h.rpc<{ id: number; name: string; state: string; amount_total: number }[]>(
        'account.move',
        'search_read',
        [
          [
            ['invoice_origin', '=', order.name],
            ['move_type', '=', 'out_invoice'],
          ],
        ],
        { fields: ['name', 'state', 'amount_total'] },
      )
    ).find((m) => m.state === 'posted'),
  );
  return { order, delivery: delivery!, invoice };
}
