import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { CrossdockError } from '../errors/index.ts';
import { lockDataDirectory, type DirectoryLock } from './lock-file.ts';

const INIT_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'pglite-init.mjs');
const INT8 = 20;

export interface PgliteOptions {
  dataDir: string;
  /** Ask PostgreSQL to sync the WAL on commit (survives an OS crash; slower). */
  synchronous: boolean;
}

export interface OpenedPglite {
  pglite: PGlite;
  lock: DirectoryLock;
}

/**
 * Opens a file-backed PGlite under an exclusive directory lock. A new data directory is
 * created by a child process into a temporary folder and renamed into place, so a crash
 * during initialisation never leaves a half-made directory behind.
 */
export async function openPglite(options: PgliteOptions): Promise<OpenedPglite> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dirname(dataDir), { recursive: true });
  const lock = lockDataDirectory(`${dataDir}.lock`);
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      assertUsableDataDir(dataDir);
      initialiseDataDir(dataDir);
    }
    const pglite = new PGlite(dataDir, {
      // int8 ids stay strings, as the pg driver returns them.
      parsers: { [INT8]: (value: string) => value },
      startParams: startParams(options.synchronous),
    });
    await pglite.waitReady;
    return { pglite, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function initialiseDataDir(dataDir: string): void {
  const staging = `${dataDir}.init-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const child = spawnSync(process.execPath, [INIT_SCRIPT, staging], { encoding: 'utf8', timeout: 120_000 });
  if (child.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new CrossdockError(
      'STORE_INIT_FAILED',
      `Could not create the embedded database in ${dataDir}: ${child.stderr || child.error?.message || 'no output'}`,
      { category: 'bug', retryable: false },
    );
  }
  if (existsSync(dataDir)) rmdirSync(dataDir); // checked empty by assertUsableDataDir
  renameSync(staging, dataDir);
}

/** Never initialise over a folder that holds something else. */
function assertUsableDataDir(dataDir: string): void {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new CrossdockError(
      'STORE_DATA_DIR_INVALID',
      `${dataDir} is not empty and is not a Crossdock data directory (no PG_VERSION); choose an empty or new folder`,
      { category: 'user', retryable: false },
    );
  }
}

/**
 * PostgreSQL's shared buffers live inside PGlite's WebAssembly memory, which never shrinks:
 * at the default 128 MB the process grows by up to that much while the buffers fill, on top
 * of everything else it holds. 32 MB keeps the hot pages (runs due, leases, the newest
 * events); the rest is read from the operating system's page cache, which is not ours.
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

function startParams(synchronous: boolean): string[] {
  const base = synchronous ? synchronousStartParams() : defaultStartParams();
  return [...base, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
}

function defaultStartParams(): string[] {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  if (!defaults) throw new CrossdockError('STORE_SYNC_UNSUPPORTED', 'This PGlite version does not expose its start parameters', { category: 'bug' });
  return defaults;
}

/**
 * PGlite starts PostgreSQL with `-F` (fsync off). For the synchronous option we drop it and
 * ask for the WAL to be opened with O_DSYNC, so a commit is on disk when it is acknowledged.
 */
function synchronousStartParams(): string[] {
  return [...defaultStartParams().filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=open_datasync'];
}
