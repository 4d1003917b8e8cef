import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CrossdockError } from '../errors/index.ts';

/** The lock file, inside the (resolved) data directory. Never deleted: it holds no lock by itself. */
export const LOCK_FILE = 'crossdock.lock';
const BUSY_EXIT_CODE = 75;
const WATCH_INTERVAL_MS = 5_000;

/**
 * An exclusive OS lock (flock(2)) on `<dataDir>/crossdock.lock`, held while this process lives.
 *
 * PGlite does not lock its data directory, and two processes writing one directory lose
 * acknowledged commits. The kernel's lock holds for every process that reaches the same file,
 * whatever its PID namespace (two containers on one volume) or the path it came by (a
 * symlink), and it goes with its holder: a killed process's lock is free at once, and nobody
 * ever deletes another's lock. Node has no flock, so a small helper takes it: `flock(1)`
 * running `cat` on a pipe from this process. The helper ignores INT, TERM and HUP (a Ctrl-C or
 * a stop signal to the whole group must not drop the lock while this process is still
 * closing the database) and ends when the pipe closes: on `release()`, or when this process
 * exits or is killed. See docs/decisions/0026-data-directory-lock.md.
 */
export interface DirectoryLock {
  readonly path: string;
  /** Resolves once the lock is free for others. Idempotent. */
  release(): Promise<void>;
}

export interface LockOptions {
  /**
   * Called if the lock is lost while held (its helper was killed, or the lock file was
   * deleted or replaced): another process may now open the directory, so this one must stop
   * writing. The default ends the process.
   */
  onLost?: (error: CrossdockError) => void;
  /** How often the lock file's identity is checked (default 5 s). */
  watchIntervalMs?: number;
}

// `--close`: the lock is held by flock alone, not by the `cat` it runs. Without it `cat` held it
// too, and a killed helper left the directory locked until `cat` read the end of its input.
const HELPER_SCRIPT =
  'trap "" INT TERM HUP; exec flock --exclusive --nonblock --close --conflict-exit-code 75 "$0" sh -c "echo locked; exec cat >/dev/null"';

export async function lockDataDirectory(
  dataDir: string,
  options: LockOptions = {},
): Promise<DirectoryLock> {
  const path = join(dataDir, LOCK_FILE);
  let inode: number;
  try {
    closeSync(openSync(path, 'a', 0o600));
    inode = statSync(path).ino;
  } catch (cause) {
    throw lockUnavailable(
      path,
      `${(cause as Error).message}; the data directory must belong to the user that runs Crossdock`,
    );
  }
  const helper = await startHelper(path);
  try {
    // Who holds it, for the message a refused process prints (informative only: the lock is the kernel's).
    writeFileSync(
      path,
      `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`,
      { mode: 0o600 },
    );
  } catch (error) {
    helper.stdin?.end();
    throw error;
  }
  let released = false;
  const lost = (why: string) => {
    if (released) return;
    released = true;
    clearInterval(watch);
    helper.stdin?.end();
    const error = new CrossdockError(
      'STORE_LOCK_LOST',
      `The lock on the data directory ${dataDir} was lost (${why}); another process may open it now, so this one stops`,
      { category: 'bug', retryable: false },
    );
    (options.onLost ?? exitOnLost)(error);
  };
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  helper.once('exit', (code, signal) =>
    lost(`its helper process ended: ${signal ?? `exit code ${code}`}`),
  );
  // The kernel lock is on the file's inode: a lock file deleted (or replaced) by hand would let
  // the next process lock a new file. Checked every few seconds; the fix is to stop at once.
  const watch = setInterval(() => {
    if (!sameInode(path, inode)) lost(`${path} was deleted or replaced; never delete it`);
  }, options.watchIntervalMs ?? WATCH_INTERVAL_MS);
  watch.unref();
  return {
    path,
    async release() {
      helper.ref(); // its exit must keep this process alive until the lock is free
      if (released) return exited;
      released = true;
      clearInterval(watch);
      helper.stdin?.end(); // the helper's `cat` reads end of file, and flock closes the lock with it
      await exited;
    },
  };
}

/** Resolves with the running helper once it holds the lock; throws STORE_LOCKED if another does. */
function startHelper(path: string): Promise<ChildProcess> {
  const helper = spawn('sh', ['-c', HELPER_SCRIPT, path], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    helper.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    helper.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!stdout.includes('locked')) return;
      helper.removeAllListeners('exit');
      helper.removeAllListeners('error');
      // Nothing more is read from the helper, and it must not keep this process alive.
      helper.stdout!.destroy();
      helper.stderr!.destroy();
      helper.unref();
      resolve(helper);
    });
    helper.once('error', (error) => reject(lockUnavailable(path, error.message)));
    helper.once('exit', (code) => {
      if (code === BUSY_EXIT_CODE) reject(lockedBy(path));
      else if (code === 127 || /not found/.test(stderr))
        reject(lockUnavailable(path, 'the flock program (util-linux) is not installed'));
      else reject(lockUnavailable(path, stderr.trim() || `flock ended with exit code ${code}`));
    });
  });
}

function lockedBy(path: string): CrossdockError {
  const holder = readHolder(path);
  const who = holder
    ? `process ${holder.pid} on host ${holder.host} (since ${holder.since})`
    : 'another process';
  return new CrossdockError(
    'STORE_LOCKED',
    `The data directory is in use by ${who}; lock file ${path}. Stop that process, or give this one another data directory: two processes must never share one.`,
    { category: 'user', retryable: false },
  );
}

function lockUnavailable(path: string, why: string): CrossdockError {
  return new CrossdockError(
    'STORE_LOCK_UNAVAILABLE',
    `Cannot lock ${path}: ${why}. The embedded store needs an OS file lock (flock); on a filesystem without one, use a PostgreSQL server (DATABASE_URL)`,
    { category: 'user', retryable: false },
  );
}

function readHolder(path: string): { pid: number; host: string; since: string } | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as {
      pid?: unknown;
      host?: unknown;
      since?: unknown;
    };
    return typeof holder.pid === 'number' &&
      typeof holder.host === 'string' &&
      typeof holder.since === 'string'
      ? { pid: holder.pid, host: holder.host, since: holder.since }
      : undefined;
  } catch {
    return undefined;
  }
}

function sameInode(path: string, inode: number): boolean {
  try {
    return statSync(path).ino === inode;
  } catch {
    return false;
  }
}

function exitOnLost(error: CrossdockError): void {
  process.stderr.write(`crossdock: ${error.message}\n`);
  process.exit(3);
}
