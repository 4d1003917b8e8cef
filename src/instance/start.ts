/** Starting and stopping a running instance: the API, its server file, the workers and the pollers. */
import { join } from 'node:path';
import { startSecurity, type SecurityStartup } from '../api/startup.ts';
import { localCliScopes } from '../auth/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import {
  localUrl,
  removeServerFile,
  STATE_FILES,
  writeServerFile,
  type ServerRecord,
} from '../state/index.ts';
import type { Crossdock } from './types.ts';

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
    // IMAP mailboxes are polled in every process: each mailbox's lease lets one poll it at a time.
    crossdock.imap?.start();
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
