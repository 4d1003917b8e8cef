/**
 * The composition root: createCrossdock wires one instance. Its parts are in src/instance/
 * (the step registries, the keyring, the API services, starting an instance); this file is
 * the entry the CLI and the demo import them from.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { CrossdockConfig } from './config/index.ts';
import { ApprovalsService } from './approvals/index.ts';
import { auditIntake, AuditLog } from './audit/index.ts';
import { TotpFactors } from './auth/index.ts';
import {
  auditCaseEvents,
  ExceptionsService,
  noEligibleApproverCase,
  UndeliveredNotices,
} from './exceptions/index.ts';
import { Engine, systemClock } from './engine/index.ts';
import { createOdooIntegration, loadOdooSettings } from './connectors/odoo/integration.ts';
import { HINT_EVENT_TYPE } from './connectors/odoo/ingest/index.ts';
import { createCarrierIntegration, loadCarrierSettings } from './connectors/carriers/index.ts';
import { createEdiIntegration, ediStepTypes, loadEdiPartners } from './connectors/edi/index.ts';
import { trackingRefCheck } from './instance/case-checks.ts';
import { createShopIntegration, loadShops, shopStepTypes } from './connectors/shop/index.ts';
import { odooApprovalMirror, odooStepTypes } from './connectors/odoo/steps/index.ts';
import { ConnectorStats, createLogger } from './observability/index.ts';
import { openStore } from './store/index.ts';
import { PolicyRegistry } from './policies/index.ts';
import { prepareStateDir, STATE_FILES } from './state/index.ts';
import { approvalNotifier, Notifications } from './notify/index.ts';
import { createApiServices } from './instance/api-services.ts';
import { aiModels } from './instance/ai-models.ts';
import { startKeyring } from './instance/keyring.ts';
import { builtInSteps } from './instance/steps.ts';
import {
  AiExtraction,
  AiSpendingLimit,
  AiTriage,
  chatTriageProvider,
  OfflineTriageModel,
} from './ai/index.ts';
import type { MailIntake } from './connectors/mail/index.ts';
import { imapPollerFor } from './instance/imap.ts';
import { MailboxCases } from './instance/mailbox-cases.ts';
import { aiClientFor } from './connectors/ai/index.ts';
import type { Crossdock, CrossdockOptions } from './instance/types.ts';

export type { Crossdock, CrossdockOptions } from './instance/types.ts';
export { builtInSteps, offlineConnectorSteps } from './instance/steps.ts';
export { secretsKeyring } from './instance/keyring.ts';
export { ensureTriageModel, type TriageModelStart } from './instance/triage-model.ts';
export { createApiServices, type ServicesOptions } from './instance/api-services.ts';
export {
  startInstance,
  type InstanceOptions,
  type Printer,
  type RunningInstance,
} from './instance/start.ts';

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
    // Authenticators for step-up approval levels; their secrets are sealed with the keyring.
    const totp = new TotpFactors(store.db, keyring, now);
    const approvals = new ApprovalsService({
      db: store.db,
      now,
      secondFactor: totp,
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
      carrierCodes: () => carrierConfigs?.map((c) => c.code) ?? [],
      checkAction: trackingRefCheck(() => odoo?.clients('odoo') ?? null),
    });
    // The configured AI provider; without one, triage asks the built-in offline model trained
    // on this site's history (it abstains until it has enough examples) and extraction uses its rules.
    // The spending limit (CROSSDOCK_AI_BUDGET_*) is asked before each call to the provider.
    const aiBudget = config.ai?.budget
      ? new AiSpendingLimit({ db: store.db, exceptions, now, budget: config.ai.budget })
      : null;
    const aiClient = config.ai
      ? aiClientFor(config.ai, aiBudget ? { admit: () => aiBudget.admit() } : {})
      : null;
    const aiTriage = new AiTriage({
      db: store.db,
      exceptions,
      provider: aiClient ? chatTriageProvider(aiClient) : new OfflineTriageModel(store.db),
      now,
      prices: config.aiPrices ?? {},
    });
    const aiExtraction = new AiExtraction({
      db: store.db,
      client: aiClient,
      now,
      prices: config.aiPrices ?? {},
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
    const ediPartners =
      options.ediPartners ??
      (config.ediConfigPath ? loadEdiPartners(config.ediConfigPath, process.env) : null);
    const edi = ediPartners
      ? createEdiIntegration(ediPartners, {
          db: store.db,
          clock: { now },
          logger,
          accept: (event) => engine!.accept(event, 'edi'),
          pollIntervalMs: config.notify.pollIntervalMs,
        })
      : null;
    const shopConfigs =
      options.shops ??
      (config.shopConfigPath ? loadShops(config.shopConfigPath, process.env) : null);
    const shop = shopConfigs
      ? createShopIntegration(shopConfigs, {
          db: store.db,
          clock: { now },
          logger,
          accept: (event) => engine!.accept(event, 'shop'),
          pollIntervalMs: config.notify.pollIntervalMs,
        })
      : null;
    engine = new Engine({
      store,
      steps: builtInSteps(
        [
          ...(options.plugins ?? []),
          ...(odoo?.steps ?? []),
          ...(carriers?.steps ?? []),
          ...(edi?.steps ?? ediStepTypes(store.db)),
          ...(shop?.steps ?? shopStepTypes(store.db)),
        ],
        {
          approvals,
          approvalMirror: odoo ? odooApprovalMirror({ get: odoo.clients }) : null,
          policies,
          notifications,
          exceptions,
          db: store.db,
          ai: aiTriage,
          extract: aiExtraction,
          odoo: odoo ? odoo.clients : null,
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
          ? // The services are made below, before the API can take a delivery.
            await services!.sources.keyConflictOpensCase(source)
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
      totp,
      setupCodeFile: join(config.security.stateDir, STATE_FILES.firstAdminCode),
      // Names and addresses only: the API never shows an Odoo credential.
      approvals,
      exceptions,
      policies,
      aiBudget,
      aiModels: aiModels({
        db: store.db,
        now,
        client: aiClient,
        provider: () =>
          aiClient ? chatTriageProvider(aiClient) : new OfflineTriageModel(store.db),
      }),
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
    // IMAP mailboxes (CROSSDOCK_MAIL_IMAP_CONFIG): polled once startInstance starts it, in every process, under a lease.
    const imap = await imapPollerFor(config, options, {
      db: store.db,
      now,
      logger,
      accept: (event) => engine!.accept(event, 'mail'),
      revealSecret: (name) => services!.secrets.reveal(name),
      cases: new MailboxCases({ db: store.db, exceptions }),
      metrics: services.metrics.registry,
    });
    // Crossdock's SMTP endpoint (CROSSDOCK_MAIL_INTAKE_PORT) opens with the API, in listen().
    let mailIntake: MailIntake | null = null;
    // Documents to trading partners go out as soon as they are queued, and are retried.
    edi?.dispatcher.start();
    // Partners' inbox folders are scanned at their intervals (a file taken twice is a duplicate).
    edi?.folders.start();
    // Stock levels go to the shops as soon as they are queued, within each shop's rate limit.
    shop?.pusher.start();
    const webhookRoutes = [
      ...(odoo ? [odoo.routes] : []),
      ...(carriers ? [carriers.routes] : []),
      ...(edi ? [edi.routes] : []),
      ...(shop ? [shop.routes] : []),
    ]; // /hooks/odoo/..., /hooks/carriers/..., /hooks/edi/..., /hooks/shop/...
    return {
      config,
      store,
      engine,
      logger,
      odoo,
      carriers,
      edi,
      shop,
      webhookRoutes,
      services,
      policies,
      notifications,
      undelivered,
      connectorStats,
      imap,
      mailIntakePort: () => mailIntake?.port ?? null,
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
        services.metrics.serveProcessMetrics();
        const url = `http://${config.http.host}:${(api.server.address() as AddressInfo).port}`;
        engine.vars.apiUrl = url;
        // The SMTP server (smtp-server) is loaded only by an instance that serves it, as the API
        // is; and only it: the folder's index brings the IMAP client too (0.3 s of CPU to load).
        const { startMailIntake } = config.mailIntake
          ? await import('./connectors/mail/intake.ts')
          : { startMailIntake: null };
        if (config.mailIntake && startMailIntake && !mailIntake)
          mailIntake = await startMailIntake(config.mailIntake, {
            db: store.db,
            now,
            logger,
            accept: (event) => engine.accept(event, 'mail'),
          }).catch(async (error: unknown) => {
            await api.close();
            throw error;
          });
        if (mailIntake)
          logger.info(
            { host: config.mailIntake!.host, port: mailIntake.port },
            'Crossdock SMTP endpoint listening (inbound e-mail)',
          );
        return { api, url };
      },
      async close() {
        services.metrics.close();
        await mailIntake?.close(); // no message is taken once the store may go
        await imap?.stop(); // a poll under way ends (its lease given back) before the store goes
        odoo?.ingestion.stopPollers();
        await engine.stopWorkers();
        await notifications.stop(); // after the workers: they may still queue messages
        await edi?.folders.stop();
        await edi?.dispatcher.stop(); // after the workers: they may still queue documents
        await shop?.pusher.stop(); // after the workers: they may still queue levels
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
