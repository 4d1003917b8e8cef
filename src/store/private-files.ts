import { chmodSync, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CrossdockError } from '../errors/index.ts';

/**
 * Crossdock's own files (the database, the secrets key, tokens) are readable by their owner
 * only: directories 0700, files 0600.
 */
const GROUP_OTHER_BITS = 0o077;

/** A path whose mode was narrowed, with the mode it had (octal, e.g. "666"). */
export interface ModeRepair {
  path: string;
  was: string;
}

/**
 * Sets the process umask to 077, so that every file and folder this process creates from now
 * on is private. Process-wide by nature; Crossdock creates nothing that others should read.
 */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** Creates the directory (and missing parents, 0700) and returns its real path (symlinks resolved). */
export function privateDirectory(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return realpathSync(path);
}

/**
 * Narrows every directory and file under `root` (the root too) that group or others can
 * reach to owner-only (only `root` itself with `recursive: false`), and returns what it
 * changed, for the caller to report. Symlinks are not followed. An entry this process may not change (another user owns it) stops the start
 * with FILE_MODE_UNSAFE naming it.
 */
export function securePrivateTree(
  root: string,
  options: { recursive?: boolean } = {},
): ModeRepair[] {
  const repaired: ModeRepair[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (!stat.isDirectory() && !stat.isFile()) return;
    if ((stat.mode & GROUP_OTHER_BITS) !== 0) {
      try {
        chmodSync(path, stat.mode & 0o700);
      } catch (cause) {
        throw new CrossdockError(
          'FILE_MODE_UNSAFE',
          `${path} has mode ${octal(stat.mode)} (readable or writable by other users) and cannot be made private: it belongs to uid ${stat.uid}, this process runs as uid ${process.getuid?.() ?? '?'}. Give the directory to the user that runs Crossdock (chown -R) and run chmod -R go= on it`,
          { category: 'user', retryable: false, cause },
        );
      }
      repaired.push({ path, was: octal(stat.mode) });
    }
    if (stat.isDirectory() && options.recursive !== false)
      for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(root);
  return repaired;
}

/** One line for the log: how many paths were narrowed, and the first few with their old modes. */
export function describeRepairs(root: string, repaired: ModeRepair[]): string {
  const shown = repaired
    .slice(0, 5)
    .map((r) => `${r.path} (was ${r.was})`)
    .join(', ');
  return `${repaired.length} path(s) under ${root} were open to other users and are now owner-only (directories 0700, files 0600): ${shown}${repaired.length > 5 ? ', ...' : ''}`;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');
