/**
 * The demo (`npm start`, `crossdock demo`): Crossdock on the embedded store with the Odoo
 * and carrier simulators, every pack, a stream of confirmed
 * orders (and now and then a vendor bill), approvers answering their inbox and carriers
 * reporting tracking. Everything
 * crosses the same boundaries as in production: Odoo's automation webhooks and the cursor
 * poller, RPC reads and writes, signed carrier webhooks, SMTP (to a local catcher).
 */
import { join, relative, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { CarrierSimulator } from './simulators.ts';
import type { Printer } from '../main.ts';
import type { Logger } from '../observability/index.ts';
import type { Database } from '../store/index.ts';
import { ApproverBot, TrackingPlayer } from './actors.ts';
import { BillTraffic } from './bills.ts';
import { ReturnPlayer } from './returns-player.ts';
import { finalReport, formatSummary, liveSummary, settled, type DemoReport } from './report.ts';
import { DEMO_EDI_SHIP_TO } from './edi-partner.ts';
import { shopOrder, shopPlaced, type ShopSent } from './shop-traffic.ts';
import { OPS_LEAD, startDemoSystem, type DemoSystem } from './system.ts';
import { DemoAuthenticators } from './authenticators.ts';
import { startForgetting } from './forget-ended.ts';
import { CaseWorker, teamActors } from './case-worker.ts';
import { startTriageModel } from './ai-model.ts';
import { sendInventoryRound } from './traffic-inventory.ts';
import { OrderTraffic, type PlacedOrder } from './traffic.ts';
import { placeAtPace, runBacklog, type Held } from './pacing.ts';
import { SIM_RECORDS_KEEP } from './sim-config.ts';
import { VendorPlayer } from './vendors.ts';

export interface DemoOptions {
  /** A bounded demo places this many orders, waits for all of them and reports; null runs until stopped. */
  orders: number | null;
  ratePerSecond: number;
  /** Hold new orders while more runs than this wait to be worked (src/demo/pacing.ts); null or absent never holds. */
  maxBacklog?: number | null;
  /** Everything the demo keeps (store, configuration) goes here, fresh each time. */
  dir: string;
  port: number;
  seed: number;
  summaryEveryMs: number;
  logger: Logger;
  out: Printer;
  /** Resolves when a continuous demo should stop (Ctrl-C). */
  until?: Promise<void>;
  /** Time allowed for a bounded demo to settle once every order is placed. */
  settleTimeoutMs?: number;
  /** Worker processes on a PostgreSQL server (DATABASE_URL in env); 0 or absent: this process works. */
  workerProcesses?: number;
  /** The chaos demo: SIGKILL one worker process this often (and start a replacement). */
  killEveryMs?: number;
  env?: Record<string, string>;
  /** Carriers fail at random by their reliability (default true); off, only the scheduled outages happen. */
  randomCarrierFailures?: boolean;
  /** See DemoSystemOptions (benchmarks of the webhook path). */
  odooPollIntervalMs?: number;
  odooCommitLagMs?: number;
}

export async function runDemo(o: DemoOptions): Promise<DemoReport | null> {
  const system = await startDemoSystem({
    dir: o.dir,
    port: o.port,
    logger: o.logger,
    out: o.out,
    randomCarrierFailures: o.randomCarrierFailures ?? true,
    seed: o.seed,
    externalWorkers: o.workerProcesses ?? 0,
    ...(o.env ? { env: o.env } : {}),
    ...(o.odooPollIntervalMs !== undefined ? { odooPollIntervalMs: o.odooPollIntervalMs } : {}),
    ...(o.odooCommitLagMs !== undefined ? { odooCommitLagMs: o.odooCommitLagMs } : {}),
    ...(o.orders === null ? { keepRecords: SIM_RECORDS_KEEP } : {}),
  });
  const { odoo, carriers, crossdock, instance } = system;
  const stoppers: (() => Promise<void> | void)[] = [() => system.close()];
  try {
    await startTriageModel(crossdock, o.out);
    const bounded = o.orders !== null;
    const authenticators = await demoAuthenticators(system, o.logger);
    const bot = new ApproverBot({
      ...(authenticators ? { authenticators } : {}),
      approvals: crossdock.services.approvals,
      people: system.people,
      rejectShare: 0.15,
      thinkMs: bounded ? [50, 400] : [3_000, 20_000],
      pollMs: bounded ? 100 : 1_000,
      logger: o.logger,
    });
    const player = new TrackingPlayer({
      carriers,
      delayedShare: 0.05,
      damagedShare: 0.02,
      duplicateShare: 0.1,
      stepMs: bounded ? 200 : 2_000,
      logger: o.logger,
      ready: (ref) =>
        odoo.db.searchRead('stock.picking', [['carrier_tracking_ref', '=', ref]], ['id']).length >
        0,
    });
    const returns = new ReturnPlayer({
      db: crossdock.store.db,
      odoo,
      accept: (event) => crossdock.engine.accept(event),
      returnShare: 0.12,
      overQuantityShare: 0.15,
      damagedShare: 0.3,
      logger: o.logger,
    });
    // Customers ask for returns once invoiced, and the warehouse scans them in, as time goes by.
    const returning = setInterval(() => void returns.flush(), bounded ? 500 : 5_000);
    const vendors = new VendorPlayer({
      odoo,
      report: (event) => crossdock.engine.accept(event),
      onOrder: system.catalog.products.slice(0, 4),
      // Replenishment: a draft RFQ for the lamps (below 1 000), an authorized order for the
      // docking stations (buyer and procurement manager) once a few have shipped.
      reorder: [
        { ...product(system, 'LED Desk Lamp'), span: 20, multiple: 5 },
        { ...product(system, 'Laptop Docking Station'), span: 6, multiple: 1 },
      ],
      delayedShare: 0.5,
      arriveAfterMs: bounded ? 2_000 : 60_000,
      stepMs: bounded ? 500 : 5_000,
      logger: o.logger,
    });
    bot.start();
    player.start();
    // A demo left running also works its exception queue (case-worker.ts); a bounded one
    // leaves every case open, for its report.
    const caseWorker = bounded
      ? null
      : new CaseWorker({
          exceptions: crossdock.services.exceptions,
          actorFor: teamActors(system.people.values()),
          afterMs: 3 * 60_000,
          pollMs: 10_000,
          now: () => crossdock.engine.clock.now(),
          logger: o.logger,
        });
    caseWorker?.start();
    await vendors.start();
    stoppers.unshift(
      () => caseWorker?.stop(),
      () => bot.stop(),
      () => player.stop(),
      () => clearInterval(returning),
      () => vendors.stop(),
    );
    printWhereToLook(o.out, instance.url!, o.orders, resolve(o.dir));

    // Chaos while orders come in: a worker that has been up for a whole interval is killed.
    const chaos = o.killEveryMs
      ? setInterval(() => system.fleet.killOldest(o.killEveryMs!), o.killEveryMs)
      : null;
    if (chaos) stoppers.unshift(() => clearInterval(chaos));
    // The warehouse's counts and scraps of the day go in with the first orders.
    await sendInventoryRound(crossdock.engine, { stepUp: authenticators !== null });
    // A demo left running keeps no list of what it placed: only a bounded one reports on it.
    const traffic = new OrderTraffic(odoo, system.catalog, o.seed, bounded);
    const accept = (event: Parameters<typeof crossdock.engine.accept>[0]) =>
      crossdock.engine.accept(event);
    const bills = new BillTraffic(odoo, system.catalog, accept, bounded);
    const started = Date.now();
    const held: Held = { times: 0, seconds: 0, sinceMs: null };
    const summary = startSummary(crossdock.store.db, o, started, held);
    stoppers.unshift(() => summary.stop());
    if (!bounded) {
      const forgetting = startForgetting(crossdock.store.db, system, o.out, o.logger);
      stoppers.unshift(() => forgetting.stop());
    }
    const ediSent: Promise<EdiSent | null>[] = [];
    const shopSent: Promise<ShopSent | null>[] = [];
    const pace = {
      ratePerSecond: o.ratePerSecond,
      maxBacklog: o.maxBacklog ?? null,
      backlog: () => runBacklog(crossdock.store.db),
      ...(o.until ? { until: o.until } : {}),
    };
    await placeAtPace(
      pace,
      o.orders,
      async (i) => {
        try {
          carrierWeather(carriers, i);
          const sent = ediOrder(system, i, o.logger);
          if (sent && bounded) ediSent.push(sent); // for the report
          const online = shopOrder(system, i, o.logger);
          if (online && bounded) shopSent.push(online);
          await traffic.placeOne();
          // One vendor bill every ten orders (the fifth, fifteenth, ...): accounts payable at work.
          if (i % 10 === 4) await bills.placeOne();
        } catch (error) {
          // A bounded demo accounts for every order; one left running says so and goes on.
          if (bounded) throw error;
          o.out.info(`order ${i + 1} could not be placed: ${(error as Error).message}`);
          o.logger.error({ err: error }, 'demo: an order could not be placed');
        }
      },
      held,
    );
    const ediOrders = await Promise.all(ediSent);
    const shopOrders = await Promise.all(shopSent);
    if (chaos) clearInterval(chaos);
    if (o.orders === null) return null;
    clearInterval(returning); // from here the settling loop sends what is due, and counts it
    await waitUntilSettled(
      crossdock.store.db,
      player,
      returns,
      vendors,
      traffic.placed.map((order) => order.id),
      o.settleTimeoutMs ?? 300_000,
    );
    summary.stop();
    // The EDI customer's and the shop's orders are accounted for like the others, once Crossdock made them.
    const report = await finalReport(
      crossdock.store.db,
      [...traffic.placed, ...ediPlaced(system, ediOrders), ...shopPlaced(system, shopOrders)],
      carriers,
      system.mail.received,
      bills.entered.length,
      system.shop.shop.calls,
    );
    return {
      ...report,
      workers: {
        processes: o.workerProcesses ?? 0,
        started: system.fleet.started,
        killed: system.fleet.kills,
      },
    };
  } finally {
    for (const stop of stoppers) await Promise.resolve(stop()).catch(() => undefined);
  }
}

/**
 * Carriers have bad moments: every 15th order one of the road carriers fails its next three
 * bookings (503), so that booking falls back to the next carrier the policy allows.
 */
function carrierWeather(carriers: CarrierSimulator, orderIndex: number): void {
  if (orderIndex % 15 !== 7) return;
  const code = orderIndex % 30 === 7 ? 'euroline' : 'swiftpost';
  carriers.faults.failNext(code, 3, { kind: 'server-error', status: 503 }, 'book');
}

/**
 * The EDI customer orders too: every tenth order, its buyer's system sends an 850 for two of
 * the products it has part numbers for, to its store; Crossdock answers with a 997 and an
 * 855, and the order goes on through release, dispatch (856) and invoicing (810).
 */
interface EdiSent {
  poNumber: string;
  sentAtMs: number;
}

function ediOrder(
  system: DemoSystem,
  orderIndex: number,
  logger: Logger,
): Promise<EdiSent | null> | null {
  if (orderIndex % 10 !== 5) return null;
  const { partner, buyerParts } = system.edi;
  const products = system.catalog.products.filter((p) => buyerParts[p.name] !== undefined);
  const lines = [0, 1].map((k) => {
    const product = products[(orderIndex + k) % products.length]!;
    const ids: [string, string][] = [['BP', buyerParts[product.name]!]];
    return { qty: 1 + ((orderIndex + k) % 4), price: product.price, ids };
  });
  const poNumber = `NH-PO-${10_000 + orderIndex}`;
  const sentAtMs = Date.now();
  return partner
    .sendOrder({ poNumber, shipTo: { code: DEMO_EDI_SHIP_TO, name: 'Store' }, lines })
    .then((answer) => {
      if (answer.status === 200) return { poNumber, sentAtMs };
      logger.warn({ status: answer.status, poNumber }, "the EDI customer's order was refused");
      return null;
    })
    .catch((error: unknown) => {
      logger.warn({ err: error, poNumber }, 'the EDI customer could not send its order');
      return null;
    });
}

/** The sale orders Crossdock made from the EDI customer's 850s, as placed orders for the report. */
function ediPlaced(system: DemoSystem, sent: (EdiSent | null)[]): PlacedOrder[] {
  return sent.flatMap((s) => {
    if (!s) return [];
    const [order] = system.odoo.db.searchRead(
      'sale.order',
      [['client_order_ref', '=', s.poNumber]],
      ['name'],
    );
    if (!order) return [];
    return [
      {
        id: Number(order.id),
        name: String(order.name),
        kind: 'edi',
        customer: 'EDI',
        confirmedAtMs: s.sentAtMs,
      },
    ];
  });
}

async function waitUntilSettled(
  db: Kysely<Database>,
  player: TrackingPlayer,
  returns: ReturnPlayer,
  vendors: VendorPlayer,
  orders: readonly number[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  while (Date.now() < deadline) {
    await player.flush();
    // A return request or scan sent now starts runs: not a quiet look.
    const returnsSent = await returns.flush();
    // Two quiet looks in a row: a tracking event or a decision may have just started a run.
    quietRounds =
      returnsSent === 0 && vendors.idle && (await settled(db, orders)) ? quietRounds + 1 : 0;
    if (quietRounds >= 2) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the demo did not settle within ${timeoutMs} ms`);
}

function startSummary(
  db: Kysely<Database>,
  o: DemoOptions,
  started: number,
  held: Held,
): { stop(): void } {
  let lastEvents = 0;
  let lastAt = started;
  const timer = setInterval(() => {
    void liveSummary(db)
      .then((s) => {
        const now = Date.now();
        const rate = ((s.events - lastEvents) * 1000) / Math.max(1, now - lastAt);
        lastEvents = s.events;
        lastAt = now;
        o.out.info(formatSummary(s, rate, (now - started) / 1000, held));
      })
      .catch(() => undefined);
  }, o.summaryEveryMs);
  return { stop: () => clearInterval(timer) };
}

function printWhereToLook(out: Printer, url: string, orders: number | null, dir: string): void {
  out.info(
    [
      '',
      `Crossdock demo running: ${orders === null ? 'orders keep coming until you press Ctrl-C' : `${orders} orders`}.`,
      `  API            ${url}/api/v1 (OpenAPI: ${url}/api/docs), metrics ${url}/metrics`,
      `  dashboard      ${url}/app/  sign in as ${OPS_LEAD}, password in ${relative(process.cwd(), join(dir, 'ops.password'))}`,
      `                 (approvers: sam.sales@, fiona.finance@, dora.director@, carl.controller@, dirk.dispatch@, bea.buyer@, paul.procurement@, alex.payables@, wendy.warehouse@demo.crossdock.test; passwords beside it)`,
      '  Odoo           the simulator confirms orders; its automation rule posts to Crossdock, the poller catches what hints miss',
      '  carriers       swiftpost, euroline, cargoplus, parcelnow (simulated; parcelnow fails a quarter of its calls)',
      '  approvals      demo approvers answer within seconds; to decide one yourself, as the director:',
      `                 CROSSDOCK_TOKEN=$(cat ${relative(process.cwd(), join(dir, 'dora.token'))}) npm run crossdock -- approvals list --status pending --api ${url}`,
      `                 CROSSDOCK_TOKEN=$(cat ${relative(process.cwd(), join(dir, 'dora.token'))}) npm run crossdock -- approvals approve <id> --reason ok --api ${url}`,
      '',
    ].join('\n'),
  );
}

/**
 * Each demo approver's authenticator app, for step-up levels. Without a secrets key (a
 * PostgreSQL server with none configured) nobody can enrol: the bot's decisions at such
 * levels are then refused and the log says why, once.
 */
async function demoAuthenticators(
  system: DemoSystem,
  logger: Logger,
): Promise<DemoAuthenticators | null> {
  try {
    return await DemoAuthenticators.enrol(
      system.crossdock.services.totp,
      system.people.values(),
      () => system.crossdock.engine.clock.now(),
    );
  } catch (error) {
    logger.warn(
      { code: (error as { code?: string }).code },
      'demo approvers have no authenticator: step-up approval levels wait for a person',
    );
    return null;
  }
}

function product(system: DemoSystem, name: string): { id: number; cost: number } {
  const found = system.catalog.products.find((p) => p.name.startsWith(name));
  if (!found) throw new Error(`the demo catalog has no product ${name}`);
  return { id: found.id, cost: found.cost };
}
