import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { securePrivateTree } from './private-files.ts';

const INIT_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'pglite-init.mjs');

/**
 * Where pristine clusters are kept, one per PGlite version: PGlite's initdb costs seconds of
 * CPU and most of a gigabyte of memory, and its output depends on nothing but the version, so
 * it runs once per user and version and every later new data directory is a copy of it.
 */
export function defaultClusterCache(): string {
  return join(homedir(), '.cache', 'crossdock');
}

/**
 * A schema kept ready-made beside the pristine cluster: `key` names it (the set of migrations),
 * `apply` brings the cluster in a folder to it (migrates a copy of the pristine cluster).
 */
export interface ClusterSchema {
  key: string;
  apply(dir: string): Promise<void>;
}

/**
 * Fills the empty folder `target` with a new PostgreSQL cluster (files still as PGlite wrote
 * them; the caller narrows their modes). It is copied from the pristine cluster in `cacheRoot`,
 * made first if missing, or, given a schema, from a copy of it with that schema applied, made
 * once per schema: migrating a new cluster costs seconds of CPU, copying one a tenth of a
 * second. A cache that cannot be used (not writable, or a folder another user owns or can
 * write, whose files could be planted) is passed over: the cluster is then made in `target`
 * directly, as it would be without a cache. A schema that cannot be made ready is passed over
 * too (the pristine copy is migrated where it is opened). Returns what went wrong, or null.
 */
export async function createCluster(
  target: string,
  cacheRoot: string | null = defaultClusterCache(),
  schema?: ClusterSchema,
): Promise<string | null> {
  const pristine = cacheRoot === null ? null : pristineCluster(cacheRoot);
  if (pristine === null) return runInitdb(target);
  const source = (schema && (await schemaCluster(pristine, schema))) ?? pristine;
  try {
    cpSync(source, target, { recursive: true });
    return null;
  } catch (error) {
    return `copying ${source}: ${(error as Error).message}`;
  }
}

/** A cluster as one tar archive (below). */
export interface ClusterImage {
  bytes: Uint8Array;
  /** The cache's file it was read from; null if it was made now. */
  cached: string | null;
}

/**
 * A cluster at `schema` as one tar archive, for a database kept in memory (laid out by
 * pglite-image-fs.ts). `dump` starts a copy of the cluster and archives it. The archive is kept
 * beside the schema's cluster in `cacheRoot`, made once per schema like the cluster itself;
 * starting from it took about a third of the time of copying the cluster's 617 files into a
 * data directory and starting there (bench/RESULTS.md). Without a usable cache it is made
 * anew, from a cluster made where `createCluster` would make one.
 */
export async function clusterImage(
  cacheRoot: string | null,
  schema: ClusterSchema,
  dump: (dir: string) => Promise<Uint8Array>,
): Promise<ClusterImage> {
  const pristine = cacheRoot === null ? null : pristineCluster(cacheRoot);
  const cluster = pristine && (await schemaCluster(pristine, schema));
  const file = cluster && `${cluster}.tar`;
  if (file && existsSync(file) && ownedAndPrivate(file, 'file'))
    return { bytes: readFileSync(file), cached: file };
  const work = mkdtempSync(join(tmpdir(), 'crossdock-image-'));
  try {
    const failure = await createCluster(join(work, 'cluster'), cacheRoot, schema);
    if (failure !== null) throw new Error(failure);
    const image = await dump(join(work, 'cluster'));
    if (file) {
      // Written aside and renamed into place, as the clusters are.
      const staging = `${file}.building-${process.pid}-${randomUUID().slice(0, 8)}`;
      try {
        writeFileSync(staging, image, { mode: 0o600 });
        renameSync(staging, file);
      } catch {
        rmSync(staging, { force: true }); // the cache is full or gone: the next one makes it again
      }
    }
    return { bytes: image, cached: null };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The pristine cluster with `schema` applied, made now if missing; null if it cannot be. */
async function schemaCluster(pristine: string, schema: ClusterSchema): Promise<string | null> {
  const dir = `${pristine}-schema-${schema.key}`;
  try {
    if (existsSync(join(dir, 'PG_VERSION'))) return ownedAndPrivate(dir) ? dir : null;
  } catch {
    return null;
  }
  // Made aside and renamed into place, as the pristine cluster is (below).
  const staging = `${dir}.building-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    cpSync(pristine, staging, { recursive: true });
    await schema.apply(staging);
    securePrivateTree(staging);
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) return null;
  }
  return ownedAndPrivate(dir) ? dir : null;
}

/**
 * The pristine cluster for this PGlite version, made now if missing; null if the cache is
 * unusable (also when initdb fails there: the cache's disk may be the cause, so the caller
 * tries once more in the data directory itself).
 */
function pristineCluster(cacheRoot: string): string | null {
  let dir: string;
  try {
    mkdirSync(cacheRoot, { recursive: true, mode: 0o700 });
    if (!ownedAndPrivate(cacheRoot)) return null;
    dir = join(cacheRoot, `pglite-${pgliteVersion()}`);
    if (existsSync(join(dir, 'PG_VERSION'))) return ownedAndPrivate(dir) ? dir : null;
  } catch {
    return null;
  }
  // Made aside and renamed into place, so a cluster in the cache is always complete; when two
  // processes make one at once, the first rename wins and the other copy is dropped.
  const staging = `${dir}.building-${process.pid}-${randomUUID().slice(0, 8)}`;
  if (runInitdb(staging) !== null) return null;
  try {
    securePrivateTree(staging); // PGlite's initdb writes its files 0666 whatever the umask
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'PG_VERSION'))) return null;
  }
  return ownedAndPrivate(dir) ? dir : null;
}

function ownedAndPrivate(path: string, kind: 'directory' | 'file' = 'directory'): boolean {
  const stat = lstatSync(path);
  const isKind = kind === 'directory' ? stat.isDirectory() : stat.isFile();
  return isKind && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
}

function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  if (typeof manifest.version !== 'string')
    throw new Error('PGlite has no version in its package.json');
  return manifest.version;
}

/**
 * Runs PGlite's initdb in a child process, so that the ~800 MB it leaves behind goes away
 * with that process instead of staying in the long-running one. Returns its error, or null.
 */
function runInitdb(target: string): string | null {
  const child = spawnSync(process.execPath, [INIT_SCRIPT, target], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (child.status === 0) return null;
  rmSync(target, { recursive: true, force: true });
  return child.stderr || child.error?.message || 'no output';
}
