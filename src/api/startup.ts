import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { recordDeployments } from '../audit/index.ts';
import { EngineIdentity, localCliAccount, type Permission } from '../auth/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Logger } from '../observability/index.ts';
import type { ApiServices } from './services.ts';

export interface SecurityStartup {
  /** Set when no administrator exists: the file holding the one-time setup code. */
  setupCodeFile: string | null;
  stop(): Promise<void>;
}

/**
 * What `start` and `worker` do besides the engine: record workflow deployments in the
 * audit log, give the engine its own short-lived token (workflows read it as
 * `vars.apiToken`; it is not enumerable, so `= vars` does not show it), and, in the API
 * process, open first-admin setup when there is no administrator and (embedded store only)
 * keep a token for the local command line in the state directory (see localCliAccount),
 * with the scopes the command line asks for (`localCliScopes`).
 */
export async function startSecurity(
  services: ApiServices,
  engine: Engine,
  logger: Logger,
  options: {
    api: boolean;
    localCliTokenFile?: string | null;
    localCliScopes?: readonly Permission[];
  },
): Promise<SecurityStartup> {
  const actor = `system ${hostname()}:${process.pid}`;
  const deployed = await recordDeployments(
    services.audit,
    engine.store.db,
    engine.catalog.current().map((w) => ({ id: w.id, version: w.hash, file: w.file })),
    actor,
  );
  if (deployed > 0)
    logger.info({ workflows: deployed }, 'workflow deployments recorded in the audit log');
  Object.defineProperty(engine.vars, 'apiToken', {
    value: '',
    enumerable: false,
    writable: true,
    configurable: true,
  });
  const identity = new EngineIdentity(
    services.users,
    services.tokens,
    (token) => (engine.vars.apiToken = token),
    logger,
  );
  await identity.start();
  const cliFile = options.api ? (options.localCliTokenFile ?? null) : null;
  const writeCliToken = (token: string) => {
    writeFileSync(cliFile!, `${token}\n`, { mode: 0o600 });
    chmodSync(cliFile!, 0o600);
  };
  const localCli = cliFile
    ? new EngineIdentity(
        services.users,
        services.tokens,
        writeCliToken,
        logger,
        localCliAccount(options.localCliScopes ?? []),
      )
    : null;
  await localCli?.start();
  const setupCodeFile = options.api && services.setup ? await services.setup.prepare() : null;
  return {
    setupCodeFile,
    async stop() {
      await identity.stop();
      await localCli?.stop();
      if (cliFile) rmSync(cliFile, { force: true });
      // The code lived in this process's memory; the file would only mislead now.
      if (setupCodeFile) rmSync(setupCodeFile, { force: true });
    },
  };
}
