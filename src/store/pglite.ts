import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import v8 from 'node:v8';
import { Kysely } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { CrossdockError } from '../errors/index.ts';
import { IN_MEMORY } from './in-memory.ts';
import { LOCK_FILE, lockDataDirectory, type DirectoryLock } from './lock-file.ts';
import {
  clusterImage,
  createCluster,
  defaultClusterCache,
  type ClusterImage,
  type ClusterSchema,
} from './pglite-cluster.ts';
import { ClusterImageFiles } from './pglite-image-fs.ts';
import { listMigrations, migrate } from './migrate.ts';
import { pgliteDialect, pgliteScript } from './pglite-dialect.ts';
import type { Database } from './schema.ts';
import {
  describeRepairs,
  privateDirectory,
  restrictNewFiles,
  securePrivateTree,
} from './private-files.ts';

/** Where a new database is made before it is moved into place; its presence marks an unfinished initialisation. */
const STAGING = '.crossdock-init';
const INT8 = 20;

export interface PgliteOptions {
  dataDir: string;
  /** Ask PostgreSQL to sync the WAL on commit (survives an OS crash; slower). */
  synchronous: boolean;
}

export interface OpenedPglite {
  pglite: PGlite;
  lock: DirectoryLock;
  /** The data directory's real path (symlinks resolved). */
  dataDir: string;
  /** What the operator should hear about (modes that were narrowed). */
  notices: string[];
}

/**
 * Opens a file-backed PGlite under an exclusive lock on its real directory. Every file made
 * from here on is private (umask 077), and modes that let other users in are narrowed before
 * PGlite reads a byte; those are reported as notices. PGlite's file system gives files that
 * PostgreSQL writes through fopen (pg_internal.init, statistics at shutdown) 0644 whatever
 * the umask, so the tree is narrowed again, silently, once started and after closing. A new database (a copy of the
 * pristine cluster kept per PGlite version, see pglite-cluster.ts) is made in a staging folder
 * inside the directory and moved into place, PG_VERSION last, so a crash during
 * initialisation never leaves a directory that looks complete.
 */
export async function openPglite(options: PgliteOptions): Promise<OpenedPglite> {
  restrictNewFiles();
  const given = resolve(options.dataDir);
  const dataDir = realDataDir(given);
  refuseLegacyHolder([given, dataDir]);
  const lock = await lockDataDirectory(dataDir);
  try {
    const created = await prepareDataDir(dataDir);
    const repaired = securePrivateTree(dataDir);
    const pglite = await startPglite(dataDir, options.synchronous);
    securePrivateTree(dataDir); // files PostgreSQL rewrote at start (pg_internal.init comes out 0644)
    const notices = repaired.length > 0 && !created ? [describeRepairs(dataDir, repaired)] : [];
    return { pglite, lock, dataDir, notices };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * This code's migrations, applied once to a copy of the pristine cluster: a new data directory
 * starts at the current schema (its migrations recorded as applied), and `migrate` finds
 * nothing to do there. The copy keeps only the `postgres` database, the one Crossdock uses:
 * `template0` and `template1` were 14 of its 41 MB and 600 of its 1,217 files, copied into
 * every new data directory (an embedded store never creates a database).
 */
const CURRENT_SCHEMA: ClusterSchema = {
  get key() {
    const migrations = listMigrations();
    const hash = createHash('sha256');
    hash.update('databases: postgres\n');
    for (const m of migrations) hash.update(`${m.name}\n${m.sql}\n`);
    return hash.digest('hex').slice(0, 16);
  },
  async apply(dir) {
    const pglite = await startPglite(dir, false);
    try {
      const db = new Kysely<Database>({ dialect: pgliteDialect(pglite) });
      await migrate(db, (script) => pgliteScript(pglite, script));
      for (const template of ['template1', 'template0']) {
        await pglite.query(`ALTER DATABASE ${template} IS_TEMPLATE false`);
        await pglite.query(`DROP DATABASE ${template}`);
      }
      await pglite.query('CHECKPOINT');
    } finally {
      await pglite.close();
    }
  },
};

let memoryImage: Promise<MemoryImage> | undefined;

/** The image databases in memory start from, and the cache's file it was read from. */
interface MemoryImage {
  /** Its files, read on first use; throws if the archive is not a whole cluster (cut short). */
  files(): ClusterImageFiles;
  cached: ClusterImage['cached'];
}

/**
 * A database kept in memory, nothing of it on disk: it starts at the current schema from an
 * image of a migrated cluster (pglite-cluster.ts, `clusterImage`), read once per process, and
 * is gone when it closes. For throwaway instances: a test's store, a trial. An image in the
 * cache that PostgreSQL cannot start from (cut short, changed) is removed and made again, once.
 */
export async function openMemoryPglite(): Promise<PGlite> {
  const image = await currentImage();
  try {
    return await startPglite(IN_MEMORY, false, image.files());
  } catch (error) {
    if (image.cached === null) throw error;
    rmSync(image.cached, { force: true });
    memoryImage = undefined;
    return startPglite(IN_MEMORY, false, (await currentImage()).files());
  }
}

async function currentImage(): Promise<MemoryImage> {
  memoryImage ??= clusterImage(defaultClusterCache(), CURRENT_SCHEMA, dumpCluster).then(
    ({ bytes, cached }) => {
      let files: ClusterImageFiles | undefined;
      return { files: () => (files ??= new ClusterImageFiles(bytes)), cached };
    },
  );
  return memoryImage.catch((cause: unknown) => {
    memoryImage = undefined; // the next open tries again
    throw new CrossdockError(
      'STORE_INIT_FAILED',
      `Could not create the embedded database in memory: ${describeFailure(cause)}`,
      { category: 'bug', retryable: false, cause },
    );
  });
}

/** A tar archive of the cluster in `dir`, migrated to the current schema if it is not. */
async function dumpCluster(dir: string): Promise<Uint8Array> {
  const pglite = await startPglite(dir, false);
  try {
    const db = new Kysely<Database>({ dialect: pgliteDialect(pglite) });
    // Nothing to do on the schema's cluster; the pristine one (no cache) is migrated here.
    await migrate(db, (script) => pgliteScript(pglite, script));
    return new Uint8Array(await (await pglite.dumpDataDir('none')).arrayBuffer());
  } finally {
    await pglite.close();
  }
}

function realDataDir(given: string): string {
  try {
    return privateDirectory(given);
  } catch (cause) {
    throw new CrossdockError(
      'STORE_DATA_DIR_INVALID',
      `The data directory ${given} cannot be used: ${(cause as Error).message}`,
      { category: 'user', retryable: false, cause },
    );
  }
}

/** Makes the database if the directory has none yet; true if it did. */
async function prepareDataDir(dataDir: string): Promise<boolean> {
  const staging = join(dataDir, STAGING);
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(staging, { recursive: true, force: true }); // left by an initialisation that had finished
    return false;
  }
  const entries = readdirSync(dataDir).filter((name) => name !== LOCK_FILE);
  if (entries.includes(STAGING)) {
    // An initialisation stopped half-way: everything here is its own.
    for (const name of entries) rmSync(join(dataDir, name), { recursive: true, force: true });
  } else if (entries.length > 0) {
    throw new CrossdockError(
      'STORE_DATA_DIR_INVALID',
      `${dataDir} is not empty and is not a Crossdock data directory (no PG_VERSION); choose an empty or new folder`,
      { category: 'user', retryable: false },
    );
  }
  await initialiseDataDir(dataDir, staging);
  return true;
}

async function initialiseDataDir(dataDir: string, staging: string): Promise<void> {
  const failure = await createCluster(staging, defaultClusterCache(), CURRENT_SCHEMA);
  if (failure !== null) {
    rmSync(staging, { recursive: true, force: true });
    throw new CrossdockError(
      'STORE_INIT_FAILED',
      `Could not create the embedded database in ${dataDir}: ${failure}`,
      { category: 'bug', retryable: false },
    );
  }
  securePrivateTree(staging); // PGlite's initdb writes its files 0666 whatever the umask
  const names = readdirSync(staging).filter((name) => name !== 'PG_VERSION');
  for (const name of names) renameSync(join(staging, name), join(dataDir, name));
  renameSync(join(staging, 'PG_VERSION'), join(dataDir, 'PG_VERSION')); // last: now the directory is complete
  rmSync(staging, { recursive: true, force: true });
}

/**
 * PostgreSQL's WebAssembly runs on V8's baseline compiler (Liftoff) only. The optimising tier
 * keeps a second copy of the code of every hot function: a long-running embedded process held
 * about 130 MB of compiled WebAssembly, and over 75,000 statements the optimised code saved no
 * CPU (`npm run bench:pglite-tier`, bench/RESULTS.md). A V8 flag is process-wide; it applies
 * to modules compiled after it is set, and PGlite is the process's only WebAssembly.
 */
function baselineCompilerOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}

async function startPglite(
  dataDir: string,
  synchronous: boolean,
  image?: ClusterImageFiles,
): Promise<PGlite> {
  baselineCompilerOnly();
  try {
    const options = {
      // int8 ids stay strings, as the pg driver returns them.
      parsers: { [INT8]: (value: string) => value },
      startParams: startParams(
        synchronous,
        image ? PGLITE_MEMORY_SHARED_BUFFERS : PGLITE_SHARED_BUFFERS,
      ),
    };
    const pglite = image
      ? new PGlite({ ...options, fs: image.fileSystem() })
      : new PGlite(dataDir, options);
    await pglite.waitReady;
    return pglite;
  } catch (cause) {
    if (cause instanceof CrossdockError) throw cause;
    throw new CrossdockError(
      'STORE_OPEN_FAILED',
      `The embedded database in ${dataDir} could not be opened: ${describeFailure(cause)}`,
      { category: 'user', retryable: false, cause },
    );
  }
}

/** Emscripten's file-system errors are plain objects with a wasm errno; say what they mean. */
const WASM_ERRNO: Record<number, string> = {
  2: 'EACCES, permission denied',
  10: 'EBUSY',
  20: 'EEXIST, file exists',
  29: 'EIO, input/output error',
  31: 'EISDIR',
  44: 'ENOENT, no such file or directory',
  51: 'ENOSPC, no space left on device',
  54: 'ENOTDIR',
  63: 'EPERM, operation not permitted',
  69: 'EROFS, read-only file system',
};

export function describeFailure(cause: unknown): string {
  if (cause instanceof Error && cause.message.startsWith('Aborted('))
    return 'PostgreSQL aborted while starting: a file it needs (such as global/pg_control) is missing or damaged; restore the data directory from a backup';
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'object' && cause !== null) {
    const { errno, name, message } = cause as {
      errno?: unknown;
      name?: unknown;
      message?: unknown;
    };
    if (typeof errno === 'number')
      return `file system error ${errno} (${WASM_ERRNO[errno] ?? 'unknown errno'})${typeof name === 'string' ? ` from ${name}` : ''}; check that every file in the directory is present and readable by this user`;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(cause);
    } catch {
      return 'an unknown error';
    }
  }
  return String(cause);
}

/**
 * Earlier Crossdock versions locked `<dataDir>.lock` with a pid. While such a process runs, this one
 * must not open the directory; a file whose process is gone is removed.
 */
function refuseLegacyHolder(dataDirs: string[]): void {
  for (const path of new Set(dataDirs.map((dir) => `${dir}.lock`))) {
    let pid: number;
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new CrossdockError(
        'STORE_LOCKED',
        `The data directory is in use by process ${pid}, an earlier Crossdock (lock file ${path}); stop it first`,
        { category: 'user', retryable: false },
      );
    }
    rmSync(path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PostgreSQL's shared buffers live inside PGlite's WebAssembly memory, which never shrinks:
 * at the default 128 MB the process grows by up to that much while the buffers fill, on top
 * of everything else it holds. 32 MB keeps the hot pages (runs due, leases, the newest
 * events); the rest is read from the operating system's page cache, which is not ours.
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/**
 * A database kept in memory (IN_MEMORY) has its files in Emscripten's in-memory file system,
 * in the same process: a page missing from the shared buffers is a copy away, not a read from
 * disk. Its buffers are kept small, which also makes its start cheaper: PostgreSQL allocates
 * and sets up all of them when it starts (bench/RESULTS.md, "Test files sharing a process").
 */
export const PGLITE_MEMORY_SHARED_BUFFERS = '8MB';

/**
 * ANALYZE holds a sample of 300 rows per unit of the statistics target in memory, for each
 * table in turn: at the default 100 that is 30,000 rows, and the WebAssembly memory it
 * touches stays resident. A store vacuumed every 10 minutes (store.ts) grew by about 30 MB in
 * steps as its tables passed 30,000 rows (bench/RESULTS.md, 2026-12-06). At 10 the sample
 * is 3,000 rows and the growth about 5 MB; the store's queries go by index and key, and do
 * not need finer histograms than that.
 */
export const PGLITE_STATISTICS_TARGET = '10';

function startParams(synchronous: boolean, sharedBuffers: string): string[] {
  const base = synchronous ? synchronousStartParams() : defaultStartParams();
  return [
    ...base,
    '-c',
    `shared_buffers=${sharedBuffers}`,
    '-c',
    `default_statistics_target=${PGLITE_STATISTICS_TARGET}`,
  ];
}

function defaultStartParams(): string[] {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  if (!defaults)
    throw new CrossdockError(
      'STORE_SYNC_UNSUPPORTED',
      'This PGlite version does not expose its start parameters',
      { category: 'bug' },
    );
  return defaults;
}

/**
 * PGlite starts PostgreSQL with `-F` (fsync off). For the synchronous option we drop it and
 * ask for the WAL to be opened with O_DSYNC, so a commit is on disk when it is acknowledged.
 */
function synchronousStartParams(): string[] {
  return [
    ...defaultStartParams().filter((p) => p !== '-F'),
    '-c',
    'fsync=on',
    '-c',
    'wal_sync_method=open_datasync',
  ];
}
