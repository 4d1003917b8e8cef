/**
 * The demo (`npm start`, `crossdock demo`): Crossdock on the embedded store with the Odoo
 * and carrier simulators, the order-release and dispatch packs, a stream of confirmed
 * orders, approvers answering their inbox and carriers reporting tracking. Everything
 * crosses the same boundaries as in production: Odoo's automation webhooks and the cursor
 * poller, RPC reads and writes, signed carrier webhooks, SMTP (to a local catcher).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startCarrierSimulator, type CarrierSimulator } from '../../sim/carriers/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import type { Decider } from '../approvals/index.ts';
import { startInstance, type RunningInstance } from '../cli/serve.ts';
import type { Output } from '../cli/output.ts';
import { loadConfig } from '../config/index.ts';
import { parseCarrierConfigs } from '../connectors/carriers/index.ts';
import { setupRules } from '../connectors/odoo/ingest/index.ts';
import { createCrossdock, type Crossdock } from '../main.ts';
import { systemClock, type Clock } from '../engine/index.ts';
import type { Logger } from '../observability/index.ts';
import { ApproverBot, TrackingPlayer } from './actors.ts';
import { startMailCatcher, type MailCatcher } from './mail-catcher.ts';
import { finalReport, formatSummary, liveSummary, settled, type DemoReport } from './report.ts';
import { seedDemo, type DemoCatalog } from './seed.ts';
import { OrderTraffic, seededRandom } from './traffic.ts';

export interface DemoOptions {
  /** A bounded demo places this many orders, waits for all of them and reports; null runs until stopped. */
  orders: number | null;
  ratePerSecond: number;
  /** Everything the demo keeps (store, configuration) goes here, fresh each time. */
  dir: string;
  port: number;
  seed: number;
  summaryEveryMs: number;
  logger: Logger;
  out: Output;
  /** Resolves when a continuous demo should stop (Ctrl-C). */
  until?: Promise<void>;
  /** Time allowed for a bounded demo to settle once every order is placed. */
  settleTimeoutMs?: number;
}

/** The approvers of the demo company: one per group the packs route to. */
const APPROVERS: { email: string; groups: string[]; manager?: string; odooUserId?: number }[] = [
  { email: 'sam.sales@demo.crossdock.test', groups: ['sales-manager'], manager: 'dora.director@demo.crossdock.test' },
  { email: 'fiona.finance@demo.crossdock.test', groups: ['finance'], manager: 'dora.director@demo.crossdock.test' },
  // The director is Odoo's administrator (uid 2): her approvals show as activities in Odoo.
  { email: 'dora.director@demo.crossdock.test', groups: ['director'], odooUserId: 2 },
  { email: 'dirk.dispatch@demo.crossdock.test', groups: ['dispatch-manager'], manager: 'dora.director@demo.crossdock.test' },
];

export interface DemoSystem {
  odoo: OdooSimulator;
  carriers: CarrierSimulator;
  mail: MailCatcher;
  crossdock: Crossdock;
  instance: RunningInstance;
  catalog: DemoCatalog;
  /** The demo approvers by Crossdock user id, and by e-mail. */
  people: Map<string, Decider>;
  approver(email: string): Decider;
  close(): Promise<void>;
}

export interface DemoSystemOptions {
  dir: string;
  port: number;
  logger: Logger;
  out: Output;
  /** Failing carriers at random by their reliability (the demo); tests inject faults instead. */
  randomCarrierFailures: boolean;
  seed: number;
  clock?: Clock;
  /** Extra environment, e.g. DATABASE_URL for the PostgreSQL server. */
  env?: Record<string, string>;
}

/**
 * Starts the simulators, seeds Odoo, and starts Crossdock with the packs, its API (Odoo's
 * automation rules pointed at it) and a worker: the system the demo and the packs' end-to-end
 * tests drive.
 */
export async function startDemoSystem(o: DemoSystemOptions): Promise<DemoSystem> {
  const dir = resolve(o.dir);
  rmSync(dir, { recursive: true, force: true }); // the simulators start empty, so the store does too
  mkdirSync(dir, { recursive: true });
  const stoppers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stoppers.splice(0)) await Promise.resolve(stop()).catch(() => undefined);
  };
  try {
    const mail = await startMailCatcher();
    stoppers.unshift(() => mail.close());
    const odoo = await startOdooSimulator();
    stoppers.unshift(() => odoo.close());
    const carriers = await startCarrierSimulator({ randomFailures: o.randomCarrierFailures, random: seededRandom(o.seed + 1) });
    stoppers.unshift(() => carriers.close());
    const catalog = await seedDemo(odoo, { today: (o.clock ?? systemClock).now() });
    const config = loadConfig({ ...demoEnvironment(dir, odoo, mail.port, o.port), ...o.env });
    const crossdock = await createCrossdock(config, {
      logger: o.logger,
      carriers: parseCarrierConfigs(carriers.profiles.map((p) => carriers.carrierConfig(p.code))),
      ...(o.clock ? { clock: o.clock } : {}),
    });
    const closeCrossdock = () => crossdock.close();
    stoppers.unshift(closeCrossdock);
    await crossdock.engine.loadWorkflows(resolve('packs'));
    const instance = await startInstance(crossdock, config, { api: true, workers: 1, port: o.port }, o.out);
    stoppers.splice(stoppers.indexOf(closeCrossdock), 1, () => instance.stop());
    carriers.setWebhookUrl((code) => `${instance.url}/hooks/carriers/${code}`);
    await setupRules(crossdock.odoo!.clients('odoo'), crossdock.odoo!.ingestion.sources[0]!, instance.url!);
    const people = await demoApprovers(crossdock, dir);
    const byEmail = new Map([...people.values()].map((p) => [p.email, p]));
    return {
      odoo, carriers, mail, crossdock, instance, catalog, people, close,
      approver: (email) => byEmail.get(email) ?? missing(email),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const OPS_LEAD = 'ops@demo.crossdock.test';

/** A random password for a demo user, kept in a file only its owner can read; never printed. */
async function withPassword(crossdock: Crossdock, userId: string, file: string): Promise<void> {
  const password = randomBytes(12).toString('base64url');
  await crossdock.services.users.setPassword(userId, password);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
}

function missing(email: string): never {
  throw new Error(`no demo approver ${email}; they are ${APPROVERS.map((a) => a.email).join(', ')}`);
}

export async function runDemo(o: DemoOptions): Promise<DemoReport | null> {
  const system = await startDemoSystem({ dir: o.dir, port: o.port, logger: o.logger, out: o.out, randomCarrierFailures: true, seed: o.seed });
  const { odoo, carriers, crossdock, instance } = system;
  const stoppers: (() => Promise<void> | void)[] = [() => system.close()];
  try {
    const bounded = o.orders !== null;
    const bot = new ApproverBot({ approvals: crossdock.services.approvals, people: system.people, rejectShare: 0.15, thinkMs: bounded ? [50, 400] : [3_000, 20_000], pollMs: bounded ? 100 : 1_000, logger: o.logger });
    const player = new TrackingPlayer({ carriers, delayedShare: 0.05, damagedShare: 0.02, duplicateShare: 0.1, stepMs: bounded ? 200 : 2_000, logger: o.logger,
      ready: (ref) => odoo.db.searchRead('stock.picking', [['carrier_tracking_ref', '=', ref]], ['id']).length > 0 });
    bot.start();
    player.start();
    stoppers.unshift(() => bot.stop(), () => player.stop());
    printWhereToLook(o.out, instance.url!, o.orders, resolve(o.dir));

    const traffic = new OrderTraffic(odoo, system.catalog, o.seed);
    const started = Date.now();
    const summary = startSummary(crossdock.store.db as never, o, started);
    stoppers.unshift(() => summary.stop());
    await placeOrders(traffic, o, (i) => carrierWeather(carriers, i));
    if (o.orders === null) return null;
    await waitUntilSettled(crossdock.store.db as never, player, traffic.placed.length, o.settleTimeoutMs ?? 300_000);
    summary.stop();
    return await finalReport(crossdock.store.db as never, traffic.placed, carriers, system.mail.mails.length);
  } finally {
    for (const stop of stoppers) await Promise.resolve(stop()).catch(() => undefined);
  }
}

function demoEnvironment(dir: string, odoo: OdooSimulator, smtpPort: number, port: number): Record<string, string> {
  const hookToken = randomBytes(24).toString('base64url');
  writeFileSync(join(dir, 'odoo.yaml'), `# The demo's Odoo: the simulator, reached over JSON-RPC like a real server.
public_url: http://127.0.0.1:${port}
connections:
  - { name: odoo, url: "${odoo.url}", database: ${odoo.database}, login: admin, api_key_env: CROSSDOCK_DEMO_ODOO_API_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: odoo
    token_env: CROSSDOCK_DEMO_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, rule: { state: sale }, domain: [[state, "=", sale]], fields: [name, state, partner_id, amount_total], poll_interval_ms: 5000 }
`);
  // The demo's own process environment carries the simulator's key and the hook token, as a
  // deployment's would; neither is written to a file.
  process.env.CROSSDOCK_DEMO_ODOO_API_KEY = odoo.users[0]!.apiKeys[0]!;
  process.env.CROSSDOCK_DEMO_HOOK_TOKEN = hookToken;
  return {
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: dir,
    CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
    CROSSDOCK_PORT: String(port),
    CROSSDOCK_POLL_INTERVAL_MS: '200',
    CROSSDOCK_SMTP_HOST: '127.0.0.1',
    CROSSDOCK_SMTP_PORT: String(smtpPort),
    CROSSDOCK_MAIL_FROM: 'Crossdock Demo <crossdock@demo.crossdock.test>',
    CROSSDOCK_NOTIFY_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'warn',
  };
}

/**
 * The demo's approvers, and an API token for each in <dir>/<name>.token (mode 600) so a
 * person can decide from the CLI as one of them; tokens are never printed.
 */
async function demoApprovers(crossdock: Crossdock, dir: string): Promise<Map<string, Decider>> {
  const { users, approvals, tokens } = crossdock.services;
  const people = new Map<string, Decider>();
  for (const a of APPROVERS) {
    const user = await users.create({ email: a.email, role: 'approver' });
    people.set(user.id, { userId: user.id, email: a.email, actor: `user:${user.id} ${a.email}` });
    const { token } = await tokens.create({ id: user.id, role: 'approver' }, { name: 'demo cli' }, null);
    writeFileSync(join(dir, `${a.email.split('.')[0]}.token`), `${token}\n`, { mode: 0o600 });
    await withPassword(crossdock, user.id, join(dir, `${a.email.split('.')[0]}.password`));
  }
  // An operations lead who may do everything, for the dashboard.
  const lead = await users.create({ email: OPS_LEAD, role: 'admin' });
  await withPassword(crossdock, lead.id, join(dir, 'ops.password'));
  const idOf = (email: string) => [...people.values()].find((p) => p.email === email)!.userId;
  for (const a of APPROVERS) {
    await approvals.directory.setProfile(idOf(a.email), { groups: a.groups, managerId: a.manager ? idOf(a.manager) : null, odooUserId: a.odooUserId ?? null }, crossdock.engine.clock.now());
  }
  return people;
}

/** Places orders at the configured rate: all N of a bounded demo, or until stopped. */
/**
 * Carriers have bad moments: every 15th order one of the road carriers fails its next three
 * bookings (503), so that booking falls back to the next carrier the policy allows.
 */
function carrierWeather(carriers: CarrierSimulator, orderIndex: number): void {
  if (orderIndex % 15 !== 7) return;
  const code = orderIndex % 30 === 7 ? 'euroline' : 'swiftpost';
  carriers.faults.failNext(code, 3, { kind: 'server-error', status: 503 }, 'book');
}

async function placeOrders(traffic: OrderTraffic, o: DemoOptions, beforeEach: (index: number) => void): Promise<void> {
  const intervalMs = 1_000 / o.ratePerSecond;
  let stopped = false;
  void o.until?.then(() => (stopped = true));
  const begin = Date.now();
  for (let i = 0; o.orders === null || i < o.orders; i++) {
    if (stopped) return;
    beforeEach(i);
    await traffic.placeOne();
    const due = begin + (i + 1) * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // pacing the generator, not a test
  }
}

async function waitUntilSettled(db: never, player: TrackingPlayer, orders: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  while (Date.now() < deadline) {
    await player.flush();
    // Two quiet looks in a row: a tracking event or a decision may have just started a run.
    quietRounds = (await settled(db, orders)) ? quietRounds + 1 : 0;
    if (quietRounds >= 2) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the demo did not settle within ${timeoutMs} ms`);
}

function startSummary(db: never, o: DemoOptions, started: number): { stop(): void } {
  let lastEvents = 0;
  let lastAt = started;
  const timer = setInterval(() => {
    void liveSummary(db).then((s) => {
      const now = Date.now();
      const rate = ((s.events - lastEvents) * 1000) / Math.max(1, now - lastAt);
      lastEvents = s.events;
      lastAt = now;
      o.out.info(formatSummary(s, rate, (now - started) / 1000));
    }).catch(() => undefined);
  }, o.summaryEveryMs);
  return { stop: () => clearInterval(timer) };
}

function printWhereToLook(out: Output, url: string, orders: number | null, dir: string): void {
  out.info([
    '',
    `Crossdock demo running: ${orders === null ? 'orders keep coming until you press Ctrl-C' : `${orders} orders`}.`,
    `  API            ${url}/api/v1 (OpenAPI: ${url}/api/v1/openapi.json), metrics ${url}/metrics`,
    `  dashboard      ${url}/app/  sign in as ${OPS_LEAD}, password in ${relative(process.cwd(), join(dir, 'ops.password'))}`,
    `                 (approvers: sam.sales@, fiona.finance@, dora.director@, dirk.dispatch@demo.crossdock.test; passwords beside it)`,
    '  Odoo           the simulator confirms orders; its automation rule posts to Crossdock, the poller catches what hints miss',
    '  carriers       swiftpost, euroline, cargoplus, parcelnow (simulated; parcelnow fails a quarter of its calls)',
    '  approvals      demo approvers answer within seconds; to decide one yourself, as the director:',
    `                 CROSSDOCK_TOKEN=$(cat ${relative(process.cwd(), join(dir, 'dora.token'))}) npm run crossdock -- approvals list --status pending --api ${url}`,
    `                 CROSSDOCK_TOKEN=$(cat ${relative(process.cwd(), join(dir, 'dora.token'))}) npm run crossdock -- approvals approve <id> --reason ok --api ${url}`,
    '',
  ].join('\n'));
}
