import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApi, startSecurity, type SecurityStartup } from '../api/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock, type Crossdock } from '../main.ts';
import { toCrossdockError } from '../errors/index.ts';
import type { Output } from './output.ts';

export interface ServeOptions {
  api: boolean;
  workers: number;
  /** A JSON-lines file of events to send once started (the sample stream). */
  feed?: string;
}

/** `crossdock start` (API + workers) and `crossdock worker` (workers only). Resolves when stopped by a signal. */
export async function serve(config: CrossdockConfig, options: ServeOptions, out: Output): Promise<number> {
  const crossdock = await createCrossdock(config, { migrate: true });
  const { engine, logger } = crossdock;
  let stopping: Promise<void> | undefined;
  let security: SecurityStartup | undefined;
  try {
    const workflows = await engine.loadWorkflows(config.workflowsDir);
    logger.info({ workflows: workflows.map((w) => `${w.definition.id}@${w.hash}`), dir: config.workflowsDir }, 'workflows loaded');
    reportRuns(crossdock);
    const localCliTokenFile = crossdock.store.kind === 'pglite' ? join(config.security.stateDir, 'cli-token') : null;
    security = await startSecurity(crossdock.services, engine, logger, { api: options.api, localCliTokenFile });
    const api = options.api
      ? await buildApi({
          services: crossdock.services,
          logger,
          maxBodyBytes: config.maxEventBytes,
          rateLimit: { perMinute: config.security.rateLimitPerMinute, loginPerMinute: config.security.loginRateLimitPerMinute },
          cookieSecure: config.security.cookieSecure,
          plugins: crossdock.odoo ? [crossdock.odoo.routes] : [], // /hooks/odoo/...
        })
      : undefined;
    if (api) {
      await api.listen({ host: config.http.host, port: config.http.port });
      const { port } = api.server.address() as AddressInfo;
      engine.vars.apiUrl = `http://${config.http.host}:${port}`;
      logger.info({ url: engine.vars.apiUrl, store: crossdock.store.kind }, 'Crossdock API listening');
      if (security.setupCodeFile) out.info(firstAdminHelp(security.setupCodeFile));
    }
    engine.startWorkers(options.workers);
    // Pollers run in the API process only, so several workers never poll the same cursor.
    if (api && crossdock.odoo) crossdock.odoo.ingestion.startPollers();
    logger.info({ workers: options.workers, store: crossdock.store.kind }, 'workers started');
    if (options.feed) await feed(crossdock, options.feed);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'stopping: finishing in-flight steps');
        stopping ??= (async () => {
          await api?.close();
          await security?.stop();
          await crossdock.close();
        })();
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await stopping;
    return 0;
  } catch (error) {
    await security?.stop().catch(() => undefined);
    await crossdock.close().catch(() => undefined);
    return out.error(error);
  }
}

/** Sends each line of a JSON-lines file as an event; keys make a second start send nothing new. */
async function feed(crossdock: Crossdock, file: string): Promise<void> {
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('//'));
  let accepted = 0;
  let duplicates = 0;
  for (const [index, line] of lines.entries()) {
    try {
      const result = await crossdock.engine.accept(JSON.parse(line));
      result.duplicate ? duplicates++ : accepted++;
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
