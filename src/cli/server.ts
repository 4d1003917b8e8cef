import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrossdockConfig } from '../config/index.ts';
import { STATE_FILES } from '../state/files.ts';
import { processAlive, readServerFile, serverFilePath, localUrl } from '../state/server-file.ts';

/** How long a candidate server has to answer /healthz before the CLI looks elsewhere. */
const HEALTH_TIMEOUT_MS = 1_500;

/**
 * The running Crossdock API the command line should talk to, or null to open the store
 * directly. In order: `--api`; the server file a running API writes in the state directory
 * (if its process is alive and it answers); the address the configuration gives the server
 * (CROSSDOCK_PUBLIC_URL, else CROSSDOCK_HOST and CROSSDOCK_PORT) if what answers there accepts
 * the CLI's token: another instance (another data directory) on the default port must not
 * answer for this one, and it does not know this one's token. On PostgreSQL, whose store
 * every process may open, only with a token of the user's own (CROSSDOCK_TOKEN): the
 * local command-line token exists only beside an embedded store.
 * Reads nothing but the state directory and loads nothing of the store or the engine.
 */
export async function findServer(
  config: CrossdockConfig,
  apiFlag: string | undefined,
  say: (line: string) => void = stderrLine,
): Promise<string | null> {
  if (apiFlag) return apiFlag;
  if (config.store.kind !== 'pglite' && !config.security.cliToken) return null;
  const record = readServerFile(config.security.stateDir);
  if (record) {
    if (!processAlive(record.pid))
      say(
        `ignoring ${serverFilePath(config.security.stateDir)}: the server that wrote it (pid ${record.pid}) is not running`,
      );
    else if (await answers(record.url)) return record.url;
    else
      say(
        `ignoring ${serverFilePath(config.security.stateDir)}: ${record.url} (pid ${record.pid}) does not answer`,
      );
  }
  const token = cliToken(config);
  if (!token) return null;
  const configured = [
    ...new Set(
      [config.http.publicUrl, localUrl(config.http.host, config.http.port)].filter(
        (url): url is string => url !== null,
      ),
    ),
  ];
  for (const url of configured) if (await acceptsToken(url, token)) return url;
  return null;
}

/** Whether a Crossdock API answers at `url` (its liveness route, which needs no token). */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

/** Whether the API at `url` knows this token: the instance this command line belongs to. */
async function acceptsToken(url: string, token: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The token the CLI sends: CROSSDOCK_TOKEN, else the one a local embedded-store instance
 * keeps in its state directory for the command line on this machine.
 */
export function cliToken(config: CrossdockConfig): string | null {
  if (config.security.cliToken) return config.security.cliToken;
  const file = join(config.security.stateDir, STATE_FILES.cliToken);
  if (config.store.kind !== 'pglite' || !existsSync(file)) return null;
  return readFileSync(file, 'utf8').trim() || null;
}

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
