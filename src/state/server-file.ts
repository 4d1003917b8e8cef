import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILES } from './files.ts';

/**
 * What a running API process says of itself in the state directory (`server.json`), so the
 * command line on this machine finds it wherever it listens. Loads nothing but node:fs: the
 * CLI reads it before deciding whether to open the store.
 */
export interface ServerRecord {
  /** Where the API answers, as a client on this machine reaches it. */
  url: string;
  pid: number;
  startedAt: string;
}

export function serverFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILES.server);
}

/** Written whole (a temporary file renamed over it), owner-only like every state file. */
export function writeServerFile(stateDir: string, record: ServerRecord): void {
  const path = serverFilePath(stateDir);
  const temporary = `${path}.${record.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Removes the file only if it still describes this server (another may have started since). */
export function removeServerFile(
  stateDir: string,
  record: Pick<ServerRecord, 'url' | 'pid'>,
): void {
  const now = readServerFile(stateDir);
  if (now && now.pid === record.pid && now.url === record.url)
    rmSync(serverFilePath(stateDir), { force: true });
}

/** The record, or null when there is none or it cannot be read as one. */
export function readServerFile(stateDir: string): ServerRecord | null {
  let text: string;
  try {
    text = readFileSync(serverFilePath(stateDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerRecord>;
    if (
      typeof value.url !== 'string' ||
      !Number.isInteger(value.pid) ||
      typeof value.startedAt !== 'string'
    )
      return null;
    return { url: value.url, pid: value.pid!, startedAt: value.startedAt };
  } catch {
    return null;
  }
}

/** Whether a process with this id exists (one of another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The address a client on this machine uses for a server listening on `host` (a wildcard: loopback). */
export function localUrl(host: string, port: number): string {
  const reachable =
    host === '0.0.0.0' || host === ''
      ? '127.0.0.1'
      : host === '::'
        ? '[::1]'
        : host.includes(':')
          ? `[${host}]`
          : host;
  return `http://${reachable}:${port}`;
}
