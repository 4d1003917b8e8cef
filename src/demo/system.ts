/**
 * The system the demo and the packs' end-to-end tests drive: the Odoo and carrier simulators
 * (Odoo seeded), a local SMTP catcher, and Crossdock with the packs, its API and workers,
 * configured through files and environment variables as a deployment is.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Decider } from '../approvals/index.ts';
import { loadConfig } from '../config/index.ts';
import type { OdooProtocol } from '../connectors/odoo/index.ts';
import { setupRules } from '../connectors/odoo/ingest/index.ts';
import { systemClock, type Clock } from '../engine/index.ts';
import { CrossdockError } from '../errors/index.ts';
import {
  createCrossdock,
  startInstance,
  type Crossdock,
  type Printer,
  type RunningInstance,
} from '../main.ts';
import type { Logger } from '../observability/index.ts';
import { DEMO_EDI_PARTNER, startDemoEdi, type DemoEdi } from './edi-partner.ts';
import { DEMO_SHOP, startDemoShop, type DemoShop } from './shop.ts';
import { startMailCatcher, type MailCatcher } from './mail-catcher.ts';
import { SIM_RECORDS_KEEP, simCarriersConfig, simOdooConfig } from './sim-config.ts';
import {
  startCarrierSimulator,
  startOdooSimulator,
  type CarrierProfile,
  type CarrierSimulator,
  type OdooSimulator,
  type SimOdooVersion,
} from './simulators.ts';
import { seedDemo, type DemoCatalog } from './seed.ts';
import { seededRandom } from './traffic.ts';
import { WorkerFleet } from './workers.ts';
import { installPath } from '../install-root.ts';

/** The approvers of the demo company: one per group the packs route to. */
const APPROVERS: { email: string; groups: string[]; manager?: string; odooUserId?: number }[] = [
  {
    email: 'sam.sales@demo.crossdock.test',
    groups: ['sales-manager'],
    manager: 'dora.director@demo.crossdock.test',
  },
  {
    email: 'fiona.finance@demo.crossdock.test',
    groups: ['finance', 'refunds', 'inventory-approver'],
    manager: 'dora.director@demo.crossdock.test',
  },
  // The director is Odoo's administrator (uid 2): her approvals show as activities in Odoo.
  {
    email: 'dora.director@demo.crossdock.test',
    groups: ['director', 'refunds', 'inventory-approver'],
    odooUserId: 2,
  },
  // Refunds above the dual threshold (packs/returns): two distinct people of group refunds.
  {
    email: 'carl.controller@demo.crossdock.test',
    groups: ['refunds'],
    manager: 'dora.director@demo.crossdock.test',
  },
  // Inventory write-offs above tolerance (packs/inventory-control): two of these three.
  {
    email: 'wendy.warehouse@demo.crossdock.test',
    groups: ['warehouse-manager', 'inventory-approver'],
    manager: 'dora.director@demo.crossdock.test',
  },
  {
    email: 'dirk.dispatch@demo.crossdock.test',
    groups: ['dispatch-manager'],
    manager: 'dora.director@demo.crossdock.test',
  },
  // Purchase authorization (packs/replenishment): the buyer, then the procurement manager, then finance.
  {
    email: 'bea.buyer@demo.crossdock.test',
    groups: ['buyer'],
    manager: 'paul.procurement@demo.crossdock.test',
  },
  {
    email: 'paul.procurement@demo.crossdock.test',
    groups: ['procurement-manager'],
    manager: 'dora.director@demo.crossdock.test',
  },
  // Vendor-bill variances (packs/vendor-bills): accounts payable, then finance, then the director.
  {
    email: 'alex.payables@demo.crossdock.test',
    groups: ['accounts-payable'],
    manager: 'fiona.finance@demo.crossdock.test',
  },
];

export interface DemoSystem {
  odoo: OdooSimulator;
  carriers: CarrierSimulator;
  /** The EDI customer: a trading partner simulator and its mapping. */
  edi: DemoEdi;
  /** The shop: a storefront simulator and its SKUs. */
  shop: DemoShop;
  mail: MailCatcher;
  crossdock: Crossdock;
  instance: RunningInstance;
  /** The environment Crossdock was configured from (the demo's API keys and tokens stay in process.env): a restart reuses it. */
  env: Record<string, string>;
  catalog: DemoCatalog;
  /** Worker processes (the chaos demo); empty when this process works the runs itself. */
  fleet: WorkerFleet;
  /** The demo approvers by Crossdock user id, and by e-mail. */
  people: Map<string, Decider>;
  approver(email: string): Decider;
  close(): Promise<void>;
}

export interface DemoSystemOptions {
  dir: string;
  port: number;
  logger: Logger;
  out: Printer;
  /** Failing carriers at random by their reliability (the demo); tests inject faults instead. */
  randomCarrierFailures: boolean;
  /** The simulated carriers; the default is the simulator's four (DE, EU and world). */
  carrierProfiles?: readonly CarrierProfile[];
  seed: number;
  clock?: Clock;
  /** `crossdock worker` processes to run the packs (PostgreSQL only); 0: this process works. */
  externalWorkers?: number;
  /** Extra environment, e.g. DATABASE_URL for the PostgreSQL server. */
  env?: Record<string, string>;
  /** The built dashboard to serve (tests build their own); the default is dashboard/dist. */
  dashboardDir?: string;
  /** The Odoo poller's interval (default 5000 ms); 0 leaves the orders to the webhook hints alone. */
  odooPollIntervalMs?: number;
  /** How long the simulated Odoo keeps a confirmation uncommitted after its webhook (default 0; real Odoo 17: 18-370 ms). */
  odooCommitLagMs?: number;
  /** The Odoo release the simulator behaves as, and the protocol Crossdock's connection uses (default 17 over jsonrpc). */
  odoo?: DemoOdoo;
  /** How many of their newest inventory calls and documents received the shop and EDI partner simulators keep (default all: a bounded demo's report counts them; a demo left running keeps SIM_RECORDS_KEEP). */
  keepRecords?: number;
}

export interface DemoOdoo {
  version: SimOdooVersion;
  protocol: OdooProtocol;
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
    const odoo = await startOdooSimulator({
      version: o.odoo?.version ?? 17,
      commitLagAfterWebhooksMs: o.odooCommitLagMs ?? 0,
      keepRecords: SIM_RECORDS_KEEP,
    });
    stoppers.unshift(() => odoo.close());
    const carriers = await startCarrierSimulator({
      randomFailures: o.randomCarrierFailures,
      random: seededRandom(o.seed + 1),
      keepRecords: SIM_RECORDS_KEEP,
      ...(o.carrierProfiles ? { carriers: o.carrierProfiles } : {}),
    });
    stoppers.unshift(() => carriers.close());
    const catalog = await seedDemo(odoo, { today: (o.clock ?? systemClock).now() });
    const edi = await startDemoEdi(dir, odoo, catalog, o.keepRecords);
    stoppers.unshift(() => edi.partner.close());
    const shop = await startDemoShop(dir, odoo, catalog, o.keepRecords);
    stoppers.unshift(() => shop.shop.close());
    const env = {
      ...edi.env,
      ...shop.env,
      ...demoEnvironment(
        dir,
        odoo,
        carriers,
        mail.port,
        o.port,
        o.odooPollIntervalMs ?? 5_000,
        o.odoo?.protocol ?? 'jsonrpc',
      ),
      ...o.env,
    };
    const config = loadConfig(env);
    const crossdock = await createCrossdock(config, {
      logger: o.logger,
      ...(o.clock ? { clock: o.clock } : {}),
    });
    const closeCrossdock = () => crossdock.close();
    stoppers.unshift(closeCrossdock);
    await refuseUsedDatabase(crossdock);
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    const external = o.externalWorkers ?? 0;
    if (external > 0 && crossdock.store.kind !== 'postgres') {
      throw new CrossdockError(
        'DEMO_NEEDS_POSTGRES',
        'Worker processes share a PostgreSQL server: set DATABASE_URL (the embedded store belongs to one process)',
        { category: 'user', retryable: false },
      );
    }
    // The demo's people exist before the API starts, so it has an administrator from the first request.
    const people = await demoApprovers(crossdock, dir);
    // With worker processes this one only serves the API, takes Odoo's webhooks and polls.
    const instance = await startInstance(
      crossdock,
      config,
      {
        api: true,
        workers: external > 0 ? 0 : 1,
        port: o.port,
        ...(o.dashboardDir ? { dashboardDir: o.dashboardDir } : {}),
      },
      o.out,
    );
    stoppers.splice(stoppers.indexOf(closeCrossdock), 1, () => instance.stop());
    const fleet = new WorkerFleet(
      { ...env, CROSSDOCK_PORT: new URL(instance.url!).port, CROSSDOCK_LEASE_MS: '3000' },
      dir,
      o.logger,
      config.workers.heapMb,
    );
    fleet.start(external);
    stoppers.unshift(() => fleet.stop());
    carriers.setWebhookUrl((code) => `${instance.url}/hooks/carriers/${code}`);
    edi.partner.setCrossdockUrl(`${instance.url}/hooks/edi/${DEMO_EDI_PARTNER}`);
    shop.shop.setCrossdockUrl(`${instance.url}/hooks/shop/${DEMO_SHOP}`);
    await setupRules(
      crossdock.odoo!.clients('odoo'),
      crossdock.odoo!.ingestion.sources[0]!,
      instance.url!,
    );
    const byEmail = new Map([...people.values()].map((p) => [p.email, p]));
    return {
      odoo,
      carriers,
      edi,
      shop,
      mail,
      crossdock,
      instance,
      env,
      catalog,
      people,
      fleet,
      close,
      approver: (email) => byEmail.get(email) ?? missing(email),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export const OPS_LEAD = 'ops@demo.crossdock.test';
/** The shipped packs, wherever the command runs from. */
const PACKS_DIR = installPath('packs');

/** The simulators start empty each time, so the store must too: old events would collide with new orders' keys. */
async function refuseUsedDatabase(crossdock: Crossdock): Promise<void> {
  const used = await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(
    crossdock.store.db,
  );
  if (Number(used.rows[0]?.n ?? 0) > 0) {
    throw new CrossdockError(
      'DEMO_DATABASE_NOT_EMPTY',
      'The demo needs an empty database: this one already holds events. Point DATABASE_URL at a new database',
      { category: 'user', retryable: false },
    );
  }
}

/** A random password for a demo user, kept in a file only its owner can read; never printed. */
async function withPassword(crossdock: Crossdock, userId: string, file: string): Promise<void> {
  const password = randomBytes(12).toString('base64url');
  await crossdock.services.users.setPassword(userId, password);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
}

function missing(email: string): never {
  throw new Error(
    `no demo approver ${email}; they are ${APPROVERS.map((a) => a.email).join(', ')}`,
  );
}

/**
 * Writes the demo's Odoo and carrier configuration files and returns its environment. The
 * secrets (the simulators' API keys, webhook secrets, the hook token) go into this process's
 * environment, as a deployment's would, never into a file; worker processes inherit them.
 */
function demoEnvironment(
  dir: string,
  odoo: OdooSimulator,
  carriers: CarrierSimulator,
  smtpPort: number,
  port: number,
  pollIntervalMs: number,
  protocol: OdooProtocol,
): Record<string, string> {
  const odooFile = simOdooConfig({
    odoo: {
      url: odoo.url,
      database: odoo.database,
      login: 'admin',
      apiKey: odoo.users[0]!.apiKeys[0]!,
    },
    publicUrl: `http://127.0.0.1:${port}`,
    apiKeyEnv: 'CROSSDOCK_DEMO_ODOO_API_KEY',
    tokenEnv: 'CROSSDOCK_DEMO_HOOK_TOKEN',
    token: randomBytes(24).toString('base64url'),
    pollIntervalMs,
    maxConcurrency: 8,
    protocol,
    version: odoo.version,
  });
  const carriersFile = simCarriersConfig(
    carriers.profiles.map((p) => carriers.carrierConfig(p.code)),
    'CROSSDOCK_DEMO',
  );
  writeFileSync(join(dir, 'odoo.yaml'), odooFile.yaml);
  writeFileSync(join(dir, 'carriers.yaml'), carriersFile.yaml);
  Object.assign(process.env, odooFile.env, carriersFile.env);
  return {
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: dir,
    CROSSDOCK_WORKFLOWS_DIR: PACKS_DIR,
    CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
    CROSSDOCK_CARRIERS_CONFIG: join(dir, 'carriers.yaml'),
    CROSSDOCK_PORT: String(port),
    CROSSDOCK_POLL_INTERVAL_MS: '200',
    // Suppliers' e-mails to delays@ become supplier.delay.reported (packs/supplier-delays).
    CROSSDOCK_MAIL_INTAKE_PORT: '0',
    CROSSDOCK_MAIL_INBOX_SUPPLIERS: 'delays@demo.crossdock.test',
    // Carriers' exception e-mails to exceptions@ become shipment events (packs/dispatch).
    CROSSDOCK_MAIL_INBOX_CARRIERS: 'exceptions@demo.crossdock.test',
    CROSSDOCK_SMTP_HOST: '127.0.0.1',
    CROSSDOCK_SMTP_PORT: String(smtpPort),
    CROSSDOCK_MAIL_FROM: 'Crossdock Demo <crossdock@demo.crossdock.test>',
    CROSSDOCK_NOTIFY_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'error',
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
    const { token } = await tokens.create(
      { id: user.id, role: 'approver' },
      { name: 'demo cli' },
      null,
    );
    writeFileSync(join(dir, `${a.email.split('.')[0]}.token`), `${token}\n`, { mode: 0o600 });
    await withPassword(crossdock, user.id, join(dir, `${a.email.split('.')[0]}.password`));
  }
  // An operations lead who may do everything, for the dashboard.
  const lead = await users.create({ email: OPS_LEAD, role: 'admin' });
  await withPassword(crossdock, lead.id, join(dir, 'ops.password'));
  const idOf = (email: string) => [...people.values()].find((p) => p.email === email)!.userId;
  for (const a of APPROVERS) {
    await approvals.directory.setProfile(
      idOf(a.email),
      {
        groups: a.groups,
        managerId: a.manager ? idOf(a.manager) : null,
        odooUserId: a.odooUserId ?? null,
      },
      crossdock.engine.clock.now(),
    );
  }
  return people;
}
