import { join } from 'node:path';
import type { CrossdockConfig } from './config/index.ts';
import { ApprovalsService, approvalStep, type ApprovalMirror } from './approvals/index.ts';
import { auditIntake, AuditLog } from './audit/index.ts';
import { FirstAdminSetup, Sessions, Tokens, Users } from './auth/index.ts';
import {
  auditCaseEvents,
  ExceptionsService,
  noEligibleApproverCase,
  raiseExceptionStep,
  resolveCaseStep,
  UndeliveredNotices,
} from './exceptions/index.ts';
import { httpRequestStep } from './connectors/http/index.ts';
import { Engine, engineStepTypes, StepRegistry, systemClock, type Clock } from './engine/index.ts';
import {
  createOdooIntegration,
  loadOdooSettings,
  type OdooIntegration,
} from './connectors/odoo/integration.ts';
import { HINT_EVENT_TYPE } from './connectors/odoo/ingest/index.ts';
import { keyConflictOpensCase, WebhookSources } from './triggers/index.ts';
import {
  carrierStepTypes,
  createCarrierIntegration,
  createCarrierRegistry,
  loadCarrierSettings,
  type CarrierConfig,
  type CarrierIntegration,
} from './connectors/carriers/index.ts';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AddressInfo } from 'node:net';
import {
  createClientPool,
  odooApprovalMirror,
  odooStepTypes,
} from './connectors/odoo/steps/index.ts';
import { ConnectorStats, createLogger, type Logger } from './observability/index.ts';
import { openStore, type Store } from './store/index.ts';
import { decideStep, PolicyRegistry } from './policies/index.ts';
import type { StepType } from './workflows/index.ts';
import type { ApiServices } from './api/index.ts';
import { createMetrics } from './api/metrics.ts';
import { startSecurity, type SecurityStartup } from './api/startup.ts';
import { localCliScopes } from './auth/index.ts';
import { CrossdockError } from './errors/index.ts';
import { loadKeyring, openKeyringAtStart, SecretStore, type Keyring } from './secrets/index.ts';
import {
  localUrl,
  prepareStateDir,
  removeServerFile,
  STATE_FILES,
  writeServerFile,
  type ServerRecord,
} from './state/index.ts';
import { approvalNotifier, Notifications, notifyStep } from './notify/index.ts';
import { operationsStepTypes, type AlertChannels } from './operations/index.ts';

export interface Crossdock {
  config: CrossdockConfig;
  store: Store;
  engine: Engine;
  logger: Logger;
  /** Present when CROSSDOCK_ODOO_CONFIG names an Odoo configuration. */
  odoo: OdooIntegration | null;
  /** Present when carriers are configured (CROSSDOCK_CARRIERS_CONFIG or the carriers option). */
  carriers: CarrierIntegration | null;
  /** The connectors' webhook routes (/hooks/odoo/..., /hooks/carriers/...), for the API. */
  webhookRoutes: FastifyPluginAsync[];
  /** Users, tokens, sessions, audit log, secrets, webhook sources, metrics: what the API and CLI use. */
  services: ApiServices;
  /** The decision tables loaded with the workflows: every `policies` folder in the workflow folder, and the one beside it. */
  policies: PolicyRegistry;
  /** The notification outbox and its dispatcher (running while any channel is configured). */
  notifications: Notifications;
  /** Opens an exception case for each notification the outbox gave up on, and resolves it once it is sent. */
  undelivered: UndeliveredNotices;
  /** This process's count of Odoo and carrier calls, flushed to connector_stats every few seconds and on close. */
  connectorStats: ConnectorStats;
  /**
   * Builds the HTTP API over these services (with the connectors' webhook routes) and listens
   * on CROSSDOCK_HOST and `port` (default CROSSDOCK_PORT; 0 picks a free one). From then on
   * `vars.apiUrl` and approval links name the address it actually listens on. The caller closes it.
   */
  listen(options?: {
    port?: number;
    dashboardDir?: string;
  }): Promise<{ api: FastifyInstance; url: string }>;
  close(): Promise<void>;
}

export interface CrossdockOptions {
  logger?: Logger;
  clock?: Clock;
  /** Custom step types (TypeScript plugins) next to the built-in ones. */
  plugins?: StepType<any>[];
  /** Carriers given in code (the demo's simulated ones); otherwise CROSSDOCK_CARRIERS_CONFIG is read. */
  carriers?: CarrierConfig[];
  /** Apply pending migrations on open (the default); `crossdock worker` on a server says no. */
  migrate?: boolean;
}

/**
 * The step types every Crossdock has: the engine's own and the connectors'. Without a
 * store (validate, dry runs) the stateful ones are known by their schema only.
 */
export function builtInSteps(
  plugins: StepType<any>[] = [],
  services: {
    approvals?: ApprovalsService;
    approvalMirror?: ApprovalMirror | null;
    policies?: PolicyRegistry;
    notifications?: Notifications | null;
    exceptions?: ExceptionsService;
    alertChannels?: AlertChannels;
  } = {},
): StepRegistry {
  return new StepRegistry([
    ...engineStepTypes(),
    httpRequestStep,
    approvalStep(services.approvals ?? null, services.approvalMirror ?? null),
    decideStep(services.policies ?? null),
    notifyStep(services.notifications ?? null),
    raiseExceptionStep(services.exceptions ?? null),
    resolveCaseStep(services.exceptions ?? null),
    ...operationsStepTypes(services),
    ...plugins,
  ]);
}

/**
 * The connectors' step types for commands without a running instance (validate, simulate):
 * Odoo and carrier steps against the configured connections, if any. Without a configured
 * Odoo they still validate; calling one fails with ODOO_CONNECTION_UNKNOWN.
 */
export function offlineConnectorSteps(config: CrossdockConfig): StepType<any>[] {
  const odooSettings = config.odooConfigPath ? loadOdooSettings(config.odooConfigPath) : null;
  const carrierConfigs = config.carriersConfigPath
    ? loadCarrierSettings(config.carriersConfigPath, process.env)
    : [];
  return [
    ...odooStepTypes(createClientPool(odooSettings?.profiles ?? [])),
    ...carrierStepTypes(createCarrierRegistry(carrierConfigs)),
  ];
}

/** The composition root: wires one Crossdock instance. No singletons; two can share a process. */
export async function createCrossdock(
  config: CrossdockConfig,
  options: CrossdockOptions = {},
): Promise<Crossdock> {
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, pretty: config.logFormat === 'pretty' });
  const store = await openStore(config.store);
  try {
    for (const notice of store.notices ?? []) logger.warn(notice);
    if (options.migrate !== false) {
      const applied = await store.migrate();
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    // With the embedded store this runs under its lock; nothing reads or writes a state file before it.
    for (const notice of prepareStateDir(config.security.stateDir, config.security.legacyStateDir, {
      inUse: [config.security.secretsKeyFile],
    }))
      logger.warn(notice);
    const keyring = await startKeyring(config, store, logger);
    let engine: Engine | undefined;
    let services: ReturnType<typeof createApiServices> | undefined;
    const now = () => (options.clock ?? systemClock).now();
    const notifications = new Notifications({
      db: store.db,
      config: config.notify,
      clock: { now },
      logger,
    });
    // Every Odoo RPC and carrier call is counted here, in the minute the engine's clock says.
    const connectorStats = new ConnectorStats({ db: store.db, now, logger });
    const approvals = new ApprovalsService({
      db: store.db,
      now,
      audit: new AuditLog(store.db, now),
      wake: () => store.wake(),
      // Decision links point where people reach Crossdock: CROSSDOCK_PUBLIC_URL, else the
      // address this instance's API listens on (set by listen() below).
      linkBaseUrl: () => config.http.publicUrl ?? (engine ? String(engine.vars.apiUrl) : null),
      // Approval e-mails are queued in the approval's own transaction (the outbox); without
      // SMTP each notice is logged and recorded on the request as not sent.
      notify: approvalNotifier(notifications, logger),
      // A level nobody may decide: a case for operations, in the request's transaction.
      onNoEligibleApprover: (request, excluded, tx) =>
        noEligibleApproverCase(exceptions, logger, request, excluded, tx),
    });
    // The exception queue; the raise_exception step opens cases through it, retries go through the engine's runs.
    const exceptions = new ExceptionsService({
      db: store.db,
      now,
      audit: new AuditLog(store.db, now),
      runs: () => engine!.runs,
    });
    const undelivered = new UndeliveredNotices({ db: store.db, exceptions, logger });
    const odooSettings = config.odooConfigPath ? loadOdooSettings(config.odooConfigPath) : null;
    const odoo = odooSettings
      ? createOdooIntegration(odooSettings, {
          store,
          // Hints come from Odoo's webhooks (an outside sender); the poller's and re-read's record events are the engine's.
          accept: (event) =>
            engine!.accept(event, event.type === HINT_EVENT_TYPE ? 'odoo' : 'engine'),
          now,
          logger,
          extraSteps: (clients) => odooStepTypes({ get: clients }),
          calls: connectorStats,
          // Rotated webhook tokens live in the secret store, made below with the API services.
          secrets: () => services?.secrets ?? null,
        })
      : null;
    const policies = new PolicyRegistry();
    const carrierConfigs =
      options.carriers ??
      (config.carriersConfigPath
        ? loadCarrierSettings(config.carriersConfigPath, process.env)
        : null);
    const carriers = carrierConfigs
      ? createCarrierIntegration(carrierConfigs, {
          accept: (event) => engine!.accept(event, 'carrier'),
          now,
          logger,
          calls: connectorStats,
        })
      : null;
    engine = new Engine({
      store,
      steps: builtInSteps(
        [...(options.plugins ?? []), ...(odoo?.steps ?? []), ...(carriers?.steps ?? [])],
        {
          approvals,
          approvalMirror: odoo ? odooApprovalMirror({ get: odoo.clients }) : null,
          policies,
          notifications,
          exceptions,
          // Where the operations pack's alerts can go: names and addresses only, never a webhook URL.
          alertChannels: {
            chatWebhooks: Object.keys(config.notify.chatWebhooks),
            email: notifications.channels.includes('email'),
            alertEmail: config.operations?.alertEmail ?? [],
          },
        },
      ),
      companions: [policies], // loadWorkflows(dir) loads the folder's policies first
      caseEvents: auditCaseEvents(now), // dead letters opened, retried cases closed: audited in the checkpoint's transaction
      intakeAudit: (senderOf) => auditIntake(now, senderOf), // every accepted event: one chain entry per intake batch, in its transaction
      // A key conflict opens a case unless its source says otherwise (a webhook source's own setting, else the configuration).
      keyConflictCase: async (source, door) =>
        door === 'webhook'
          ? await keyConflictOpensCase(store.db, source)
          : !config.keyConflictRecordOnly.includes(source),
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
      maxEventBytes: config.maxEventBytes,
      expressionLimits: config.expressions,
      worker: {
        concurrency: config.workers.concurrency,
        leaseMs: config.workers.leaseMs,
        pollIntervalMs: config.workers.pollIntervalMs,
      },
      // listen() replaces this with the address it actually listens on.
      vars: { apiUrl: `http://${config.http.host}:${config.http.port}` },
    });
    if (odoo) await engine.addSystemWorkflows(odoo.workflows);
    // Odoo sources are written by Odoo's hints and the engine's re-reads only.
    if (odoo)
      engine.intake.owners.reserve(
        'odoo',
        odoo.ingestion.sources.map((s) => s.name),
      );
    services = createApiServices({
      engine,
      keyring,
      sessionTtlMs: config.security.sessionHours * 3_600_000,
      processMetrics: true,
      setupCodeFile: join(config.security.stateDir, STATE_FILES.firstAdminCode),
      // Names and addresses only: the API never shows an Odoo credential.
      approvals,
      exceptions,
      policies,
      odooConnections: () =>
        (odooSettings?.profiles ?? []).map((p) => ({
          name: p.name,
          url: p.url,
          database: p.database,
          protocol: p.protocol,
        })),
    });
    // The dispatcher runs with the instance. It is woken by this process's enqueues, by any
    // store wake-up (decisions, NOTIFY from other processes) and when a run parks (an
    // approval level that started has committed its e-mails), and polls otherwise.
    if (notifications.channels.length > 0) {
      const running = engine;
      notifications.start([
        (wake) => store.onWake(wake),
        (wake) => running.events.on('run:waiting', wake),
      ]);
      // A message given up on opens a case; one sent again resolves it (and a sweep at start catches up).
      notifications.dispatcher.on('notification:failed', () => undelivered.soon());
      notifications.dispatcher.on('notification:sent', () => undelivered.soon());
      undelivered.soon();
    }
    connectorStats.start();
    const webhookRoutes = [...(odoo ? [odoo.routes] : []), ...(carriers ? [carriers.routes] : [])]; // /hooks/odoo/..., /hooks/carriers/...
    return {
      config,
      store,
      engine,
      logger,
      odoo,
      carriers,
      webhookRoutes,
      services,
      policies,
      notifications,
      undelivered,
      connectorStats,
      async listen(o = {}) {
        // The HTTP server (fastify, every route) is loaded only by an instance that serves it.
        const { buildApi } = await import('./api/index.ts');
        const api = await buildApi({
          services,
          logger,
          maxBodyBytes: config.maxEventBytes,
          rateLimit: {
            perMinute: config.security.rateLimitPerMinute,
            loginPerMinute: config.security.loginRateLimitPerMinute,
          },
          cookieSecure: config.security.cookieSecure,
          plugins: webhookRoutes,
          ...(o.dashboardDir ? { dashboardDir: o.dashboardDir } : {}),
        });
        await api.listen({ host: config.http.host, port: o.port ?? config.http.port });
        const url = `http://${config.http.host}:${(api.server.address() as AddressInfo).port}`;
        engine.vars.apiUrl = url;
        return { api, url };
      },
      async close() {
        services.metrics.close();
        odoo?.ingestion.stopPollers();
        await engine.stopWorkers();
        await notifications.stop(); // after the workers: they may still queue messages
        await undelivered.settled();
        await connectorStats.close(); // after everything that calls Odoo or a carrier, before the store goes
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The keyring a starting instance uses, checked against the sealed secrets in the database:
 * a key file is made (embedded store, no key configured) only while there is no sealed secret,
 * and secrets that the keyring cannot open are reported, with what to do.
 */
async function startKeyring(
  config: CrossdockConfig,
  store: Store,
  logger: Logger,
): Promise<Keyring | null> {
  const s = config.security;
  const { keyring, unreadable } = await openKeyringAtStart(
    store.db,
    { key: s.secretsKey, keyFile: s.secretsKeyFile, previousKeys: s.previousSecretsKeys },
    { generateIfMissing: s.generateSecretsKey },
  );
  if (!keyring && s.secretsKeyFileRequired) throw keyFileNotFound(s.secretsKeyFile);
  if (unreadable.length > 0) {
    const count = unreadable.reduce((sum, k) => sum + k.count, 0);
    logger.error(
      {
        keyIds: unreadable.map((k) => k.keyId),
        secrets: count,
        keys: keyring?.origin ?? 'none configured',
      },
      `${count} secret(s) in the database were sealed with a key this process does not have (${keyring ? `not in ${keyring.origin}` : 'no secrets key is configured'}): ` +
        'webhook sources that use them will fail. Give this process that key (restore the key file, or CROSSDOCK_SECRETS_PREVIOUS_KEYS), or set each secret again; see docs/OPERATIONS.md',
    );
  }
  return keyring;
}

function keyFileNotFound(path: string): CrossdockError {
  return new CrossdockError(
    'CONFIG_INVALID',
    `CROSSDOCK_SECRETS_KEY_FILE names ${path}, which does not exist`,
    {
      category: 'user',
      retryable: false,
      details: [{ path: 'CROSSDOCK_SECRETS_KEY_FILE', message: 'file not found' }],
    },
  );
}

/** The secrets keyring from the environment or the key file, as it is now (for commands that re-read it). */
export function secretsKeyring(config: CrossdockConfig): Keyring | null {
  const s = config.security;
  const keyring = loadKeyring(
    { key: s.secretsKey, keyFile: s.secretsKeyFile, previousKeys: s.previousSecretsKeys },
    { generateIfMissing: false },
  );
  if (!keyring && s.secretsKeyFileRequired) throw keyFileNotFound(s.secretsKeyFile);
  return keyring;
}

/** Where a starting instance prints what a person must read rather than a log line (the CLI's output). */
export interface Printer {
  info(line: string): void;
}

export interface InstanceOptions {
  api: boolean;
  workers: number;
  /** Where the API listens; the default is CROSSDOCK_PORT (0: any free port). */
  port?: number;
  /** The built dashboard to serve under /app/; the default is dashboard/dist (`npm run build:dashboard`). */
  dashboardDir?: string;
}

export interface RunningInstance {
  crossdock: Crossdock;
  /** Where the API listens; null for a worker-only process. */
  url: string | null;
  /** Stops the API, the engine identity and the instance; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts what `crossdock start` runs on an open Crossdock: the engine identity, the API
 * (with the connectors' webhook routes), the workers and the Odoo pollers. The demo starts
 * the same pieces the same way.
 */
export async function startInstance(
  crossdock: Crossdock,
  config: CrossdockConfig,
  options: InstanceOptions,
  out: Printer,
): Promise<RunningInstance> {
  const { engine, logger } = crossdock;
  const localCliTokenFile =
    options.api && crossdock.store.kind === 'pglite'
      ? join(config.security.stateDir, STATE_FILES.cliToken)
      : null;
  const security: SecurityStartup = await startSecurity(crossdock.services, engine, logger, {
    api: options.api,
    localCliTokenFile,
    localCliScopes: localCliScopes(),
  });
  let api: Awaited<ReturnType<Crossdock['listen']>>['api'] | undefined;
  let url: string | null = null;
  let serverFile: ServerRecord | null = null;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (serverFile) removeServerFile(config.security.stateDir, serverFile);
      await api?.close();
      await security.stop();
      await crossdock.close();
    })());
  try {
    if (options.api) {
      const listening = await crossdock.listen({
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
      });
      api = listening.api;
      url = listening.url;
      logger.info({ url, store: crossdock.store.kind }, 'Crossdock API listening');
      // The command line on this machine finds this API by it, whatever port it got.
      serverFile = {
        url: localUrl(config.http.host, Number(new URL(url).port)),
        pid: process.pid,
        startedAt: new Date().toISOString(),
      };
      writeServerFile(config.security.stateDir, serverFile);
      if (security.setupCodeFile) out.info(firstAdminHelp(security.setupCodeFile));
    }
    if (!crossdock.notifications.channels.includes('email')) {
      logger.warn(
        { missing: 'CROSSDOCK_SMTP_HOST' },
        'no mail transport: approvers and customers are not e-mailed; each approval records who was not notified (docs/NOTIFICATIONS.md)',
      );
    }
    engine.startWorkers(options.workers);
    // Pollers run in the API process only, so several workers never poll the same cursor.
    if (api && crossdock.odoo) crossdock.odoo.ingestion.startPollers();
    logger.info({ workers: options.workers, store: crossdock.store.kind }, 'workers started');
    return { crossdock, url, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Printed (not logged) while no administrator exists; the code itself stays in its file. */
function firstAdminHelp(codeFile: string): string {
  return [
    '',
    'No administrator yet. Create the first one (there is no default password):',
    '  npm run crossdock -- users add you@example.com --role admin',
    `While this instance runs, that command uses the one-time setup code in ${codeFile}`,
    '(readable by this account only). The code stops working once an administrator exists.',
    '',
  ].join('\n');
}

export interface ServicesOptions {
  engine: Engine;
  keyring: Keyring | null;
  sessionTtlMs: number;
  setupCodeFile?: string | null;
  processMetrics?: boolean;
  odooConnections?: ApiServices['odooConnections'];
  /** The instance the approval step uses (with its notifier): one service, so the API and the step agree. */
  approvals: ApprovalsService;
  /** The instance the raise_exception step uses. */
  exceptions: ExceptionsService;
  /** The decision tables loaded with the workflows. */
  policies: PolicyRegistry;
}

/**
 * The API's (and the CLI's) services: the security services over the engine's store and
 * clock, beside the instance's own approvals, exceptions and policies. createCrossdock is
 * its caller; tests of the API over an engine of their own call it too.
 */
export function createApiServices(options: ServicesOptions): ApiServices {
  const { engine } = options;
  const db = engine.store.db;
  const now = () => engine.clock.now();
  const users = new Users(db, now);
  const secrets = new SecretStore(db, options.keyring, now);
  const audit = new AuditLog(db, now);
  return {
    engine,
    users,
    tokens: new Tokens(db, now),
    sessions: new Sessions(db, now, options.sessionTtlMs),
    audit,
    secrets,
    sources: new WebhookSources(db, secrets, now),
    metrics: createMetrics({
      events: engine.events,
      db,
      processMetrics: options.processMetrics ?? false,
    }),
    setup: options.setupCodeFile ? new FirstAdminSetup(users, options.setupCodeFile) : null,
    odooConnections: options.odooConnections ?? (() => []),
    approvals: options.approvals,
    exceptions: options.exceptions,
    policies: options.policies,
  };
}
