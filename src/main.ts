import type { CrossdockConfig } from './config/index.ts';
import { httpRequestStep } from './connectors/http/index.ts';
import { Engine, engineStepTypes, StepRegistry, systemClock, type Clock } from './engine/index.ts';
import { createOdooIntegration, loadOdooSettings, type OdooIntegration } from './connectors/odoo/integration.ts';
import { createLogger, type Logger } from './observability/index.ts';
import { openStore, type Store } from './store/index.ts';
import type { StepType } from './workflows/index.ts';

export interface Crossdock {
  config: CrossdockConfig;
  store: Store;
  engine: Engine;
  logger: Logger;
  /** Present when CROSSDOCK_ODOO_CONFIG names an Odoo configuration. */
  odoo: OdooIntegration | null;
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

/** The step types every Crossdock has: the engine's own and the connectors'. */
export function builtInSteps(plugins: StepType<any>[] = []): StepRegistry {
  return new StepRegistry([...engineStepTypes(), httpRequestStep, ...plugins]);
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
    const odoo = config.odooConfigPath
      ? createOdooIntegration(loadOdooSettings(config.odooConfigPath), {
          store,
          accept: (event) => engine!.accept(event),
          now: () => (options.clock ?? systemClock).now(),
          logger,
        })
      : null;
    engine = new Engine({
      store,
      steps: builtInSteps([...(options.plugins ?? []), ...(odoo?.steps ?? [])]),
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
      maxEventBytes: config.maxEventBytes,
      worker: { concurrency: config.workers.concurrency, leaseMs: config.workers.leaseMs, pollIntervalMs: config.workers.pollIntervalMs },
      // `start` replaces this with the address it actually listens on.
      vars: { apiUrl: `http://${config.http.host}:${config.http.port}` },
    });
    if (odoo) await engine.addSystemWorkflows(odoo.workflows);
    return {
      config,
      store,
      engine,
      logger,
      odoo,
      async close() {
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
