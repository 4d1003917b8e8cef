import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSecurity, type SecurityStartup } from '../api/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock, type Crossdock } from '../main.ts';
import { toCrossdockError } from '../errors/index.ts';
import type { Output } from './output.ts';
import { localCliScopes } from './remote-permissions.ts';
import { STATE_FILES } from '../state/index.ts';

export interface ServeOptions {
  api: boolean;
  workers: number;
  /** A JSON-lines file of events to send once started (the sample stream). */
  feed?: string;
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
export async function startInstance(crossdock: Crossdock, config: CrossdockConfig, options: ServeOptions & { port?: number }, out: Output): Promise<RunningInstance> {
  const { engine, logger } = crossdock;
  const localCliTokenFile = options.api && crossdock.store.kind === 'pglite' ? join(config.security.stateDir, STATE_FILES.cliToken) : null;
  const security: SecurityStartup = await startSecurity(crossdock.services, engine, logger, { api: options.api, localCliTokenFile, localCliScopes: localCliScopes() });
  let api: Awaited<ReturnType<Crossdock['listen']>>['api'] | undefined;
  let url: string | null = null;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await api?.close();
      await security.stop();
      await crossdock.close();
    })());
  try {
    if (options.api) {
      const listening = await crossdock.listen({ ...(options.port !== undefined ? { port: options.port } : {}), ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}) });
      api = listening.api;
      url = listening.url;
      logger.info({ url: listening.url, store: crossdock.store.kind }, 'Crossdock API listening');
      if (security.setupCodeFile) out.info(firstAdminHelp(security.setupCodeFile));
    }
    if (!crossdock.notifications.channels.includes('email')) {
      logger.warn({ missing: 'CROSSDOCK_SMTP_HOST' }, 'no mail transport: approvers and customers are not e-mailed; each approval records who was not notified (docs/NOTIFICATIONS.md)');
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

/** `crossdock start` (API + workers) and `crossdock worker` (workers only). Resolves when stopped by a signal. */
export async function serve(config: CrossdockConfig, options: ServeOptions, out: Output): Promise<number> {
  const crossdock = await createCrossdock(config, { migrate: true });
  try {
    const workflows = await crossdock.engine.loadWorkflows(config.workflowsDir);
    crossdock.logger.info({ workflows: workflows.map((w) => `${w.definition.id}@${w.hash}`), dir: config.workflowsDir }, 'workflows loaded');
    reportRuns(crossdock);
    const running = await startInstance(crossdock, config, options, out);
    if (options.feed) await feed(crossdock, options.feed);
    await untilSignal(crossdock.logger);
    await running.stop();
    return 0;
  } catch (error) {
    await crossdock.close().catch(() => undefined);
    return out.error(error);
  }
}

/** Resolves at the first SIGINT or SIGTERM. */
export function untilSignal(logger: Crossdock['logger']): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'stopping: finishing in-flight steps');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Sends each line of a JSON-lines file as an event; keys make a second start send nothing new. */
async function feed(crossdock: Crossdock, file: string): Promise<void> {
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('//'));
  let accepted = 0;
  let duplicates = 0;
  for (const [index, line] of lines.entries()) {
    try {
      const result = await crossdock.engine.accept(JSON.parse(line), 'cli');
      if (result.conflict) crossdock.logger.warn({ file, line: index + 1, eventId: result.eventId }, 'sample event reuses a stored key with another payload: recorded as a key conflict');
      result.duplicate || result.conflict ? duplicates++ : accepted++;
    } catch (error) {
      const e = toCrossdockError(error);
      crossdock.logger.warn({ file, line: index + 1, code: e.code, details: e.details }, `sample event refused: ${e.message}`);
    }
  }
  crossdock.logger.info({ file, accepted, duplicates }, 'sample events sent (duplicates were recognised and started nothing)');
}

/** One log line per run outcome, so `npm start` shows what it is doing. */
function reportRuns({ engine, logger }: Crossdock): void {
  engine.events.on('run:completed', (e) => logger.info({ runId: e.runId, workflow: e.workflowId, output: e.output }, 'run completed'));
  engine.events.on('run:failed', (e) => logger.warn({ runId: e.runId, workflow: e.workflowId, step: e.stepId, error: e.error.code }, 'run failed: dead letter opened'));
  engine.events.on('run:waiting', (e) =>
    logger.info({ runId: e.runId, workflow: e.workflowId, step: e.stepId, until: e.until }, `run ${e.runId} waiting at ${e.stepId}; see: crossdock runs show ${e.runId}`),
  );
  engine.events.on('step:failed', (e) => e.willRetry && logger.info({ runId: e.runId, step: e.stepId, attempt: e.attempt, error: e.error.code }, 'step failed; will retry'));
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
