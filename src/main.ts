import { join } from 'node:path';
import type { CrossdockConfig } from './config/index.ts';
import { ApprovalsService, approvalStep, type ApprovalMirror } from './approvals/index.ts';
import { AuditLog } from './audit/index.ts';
import { httpRequestStep } from './connectors/http/index.ts';
import { Engine, engineStepTypes, StepRegistry, systemClock, type Clock } from './engine/index.ts';
import { createOdooIntegration, loadOdooSettings, type OdooIntegration } from './connectors/odoo/integration.ts';
import { odooApprovalMirror, odooStepTypes } from './connectors/odoo/steps/index.ts';
import { createLogger, type Logger } from './observability/index.ts';
import { openStore, type Store } from './store/index.ts';
import type { StepType } from './workflows/index.ts';
import { createApiServices, type ApiServices } from './api/index.ts';
import { CrossdockError } from './errors/index.ts';
import { loadKeyring, type Keyring } from './secrets/index.ts';

export interface Crossdock {
  config: CrossdockConfig;
  store: Store;
  engine: Engine;
  logger: Logger;
  /** Present when CROSSDOCK_ODOO_CONFIG names an Odoo configuration. */
  odoo: OdooIntegration | null;
  /** Users, tokens, sessions, audit log, secrets, webhook sources, metrics: what the API and CLI use. */
  services: ApiServices;
  close(): Promise<void>;
}

export interface CrossdockOptions {
  logger?: Logger;
  clock?: Clock;
  /** Custom step types (TypeScript plugins) next to the built-in ones. */
  plugins?: StepType<any>[];
  /** Apply pending migrations on open (the default); `crossdock worker` on a server says no. */
  migrate?: boolean;
}

/**
 * The step types every Crossdock has: the engine's own and the connectors'. Without a
 * store (validate, dry runs) the stateful ones are known by their schema only.
 */
export function builtInSteps(plugins: StepType<any>[] = [], services: { approvals?: ApprovalsService; approvalMirror?: ApprovalMirror | null } = {}): StepRegistry {
  return new StepRegistry([...engineStepTypes(), httpRequestStep, approvalStep(services.approvals ?? null, services.approvalMirror ?? null), ...plugins]);
}

/** The composition root: wires one Crossdock instance. No singletons; two can share a process. */
export async function createCrossdock(config: CrossdockConfig, options: CrossdockOptions = {}): Promise<Crossdock> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, pretty: config.logFormat === 'pretty' });
  const store = await openStore(config.store);
  try {
    if (options.migrate !== false) {
      const applied = await store.migrate();
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    let engine: Engine | undefined;
    const now = () => (options.clock ?? systemClock).now();
    const approvals = new ApprovalsService({
      db: store.db as never,
      now,
      audit: new AuditLog(store.db as never, now),
      wake: () => store.wake(),
      // Decision links point at this instance's API (`start` sets the address it listens on).
      linkBaseUrl: () => (engine ? String(engine.vars.apiUrl) : null),
    });
    const odooSettings = config.odooConfigPath ? loadOdooSettings(config.odooConfigPath) : null;
    const odoo = odooSettings
      ? createOdooIntegration(odooSettings, {
          store,
          accept: (event) => engine!.accept(event),
          now,
          logger,
          extraSteps: (clients) => odooStepTypes({ get: clients }),
        })
      : null;
    engine = new Engine({
      store,
      steps: builtInSteps([...(options.plugins ?? []), ...(odoo?.steps ?? [])], { approvals, approvalMirror: odoo ? odooApprovalMirror({ get: odoo.clients }) : null }),
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
      maxEventBytes: config.maxEventBytes,
      worker: { concurrency: config.workers.concurrency, leaseMs: config.workers.leaseMs, pollIntervalMs: config.workers.pollIntervalMs },
      // `start` replaces this with the address it actually listens on.
      vars: { apiUrl: `http://${config.http.host}:${config.http.port}` },
    });
    if (odoo) await engine.addSystemWorkflows(odoo.workflows);
    const services = createApiServices({
      engine,
      keyring: secretsKeyring(config),
      sessionTtlMs: config.security.sessionHours * 3_600_000,
      processMetrics: true,
      setupCodeFile: join(config.security.stateDir, 'first-admin-code'),
      // Names and addresses only: the API never shows an Odoo credential.
      approvals,
      odooConnections: () => (odooSettings?.profiles ?? []).map((p) => ({ name: p.name, url: p.url, database: p.database, protocol: p.protocol })),
    });
    return {
      config,
      store,
      engine,
      logger,
      odoo,
      services,
      async close() {
        services.metrics.close();
        odoo?.ingestion.stopPollers();
        await engine.stopWorkers();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The secrets keyring from the environment or the key file (made on first start with the embedded store). */
export function secretsKeyring(config: CrossdockConfig): Keyring | null {
  const s = config.security;
  const keyring = loadKeyring({ key: s.secretsKey, keyFile: s.secretsKeyFile, previousKeys: s.previousSecretsKeys }, { generateIfMissing: s.generateSecretsKey });
  if (!keyring && s.secretsKeyFileRequired) {
    throw new CrossdockError('CONFIG_INVALID', `CROSSDOCK_SECRETS_KEY_FILE names ${s.secretsKeyFile}, which does not exist`, { category: 'user', retryable: false, details: [{ path: 'CROSSDOCK_SECRETS_KEY_FILE', message: 'file not found' }] });
  }
  return keyring;
}
