import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { CrossdockError } from '../errors/index.ts';

/**
 * An exclusive lock on a PGlite data directory, held by process id.
 *
 * PGlite does not lock its data directory, and two processes writing one directory
 * silently lose acknowledged commits. The lock file is created with O_EXCL; a file left
 * by a process that no longer exists (killed with SIGKILL) is taken over, because on a
 * single host the pid tells for certain whether the holder is alive.
 */
export interface DirectoryLock {
  release(): void;
}

export function lockDataDirectory(lockPath: string): DirectoryLock {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lockPath);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new CrossdockError(
        'STORE_LOCKED',
        `The data directory is in use by process ${holder} (lock file ${lockPath}). ` +
          'Stop that process, or give this one another data directory; two processes must never share one.',
        { category: 'user', retryable: false },
      );
    }
    if (holder === process.pid) {
      throw new CrossdockError('STORE_LOCKED', `This process already holds ${lockPath}; open the store once and share it.`, {
        category: 'bug',
        retryable: false,
      });
    }
    rmSync(lockPath, { force: true }); // stale: its holder is gone
  }
  throw new CrossdockError('STORE_LOCKED', `Could not take the lock file ${lockPath}`, { category: 'transient' });
}

function readHolder(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
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
