import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { CrossdockError } from '../errors/index.ts';
import { join, resolve } from 'node:path';
import { STATE_FILES } from './files.ts';
import {
  describeRepairs,
  privateDirectory,
  restrictNewFiles,
  securePrivateTree,
} from '../store/index.ts';

export { STATE_FILES } from './files.ts';
export {
  localUrl,
  processAlive,
  readServerFile,
  removeServerFile,
  serverFilePath,
  writeServerFile,
  type ServerRecord,
} from './server-file.ts';

/**
 * Makes the state directory ready before anything reads or writes in it: created 0700 (and
 * the process's new files private), files left by an earlier version in `legacyDir` (the data
 * directory's parent) moved in, unless configured where they are (`inUse`: the key file named
 * by CROSSDOCK_SECRETS_KEY_FILE), modes open to other users narrowed. Returns what the operator
 * should hear of. Only the folder itself and the files above are narrowed: the state
 * directory may be a folder that holds other things (the demo's, a test's).
 */
export function prepareStateDir(
  stateDir: string,
  legacyDir: string | null,
  options: { inUse?: string[] } = {},
): string[] {
  restrictNewFiles();
  const dir = privateDirectory(stateDir);
  refuseSharedDirectory(dir);
  const inUse = new Set((options.inUse ?? []).map((path) => resolve(path)));
  const notices = legacyDir ? moveLegacyFiles(legacyDir, dir, inUse) : [];
  const repaired = [
    dir,
    ...Object.values(STATE_FILES)
      .map((name) => join(dir, name))
      .filter((path) => existsSync(path)),
  ].flatMap((path) => securePrivateTree(path, { recursive: false }));
  if (repaired.length > 0) notices.push(describeRepairs(dir, repaired));
  return notices;
}

/**
 * The state directory is made owner-only, so it must never be a folder other users share: one
 * anybody may write to, or with the sticky bit (/tmp, /var/tmp, a team's drop folder), is
 * refused, not narrowed, lest a setting pointed at it lock every other user out.
 */
function refuseSharedDirectory(dir: string): void {
  const mode = statSync(dir).mode;
  if ((mode & 0o002) === 0 && (mode & 0o1000) === 0) return;
  throw new CrossdockError(
    'FILE_MODE_UNSAFE',
    `The state directory ${dir} is shared with other users (mode ${(mode & 0o7777).toString(8)}): Crossdock makes its state directory owner-only, so it must be a directory of its own. Set CROSSDOCK_STATE_DIR (or --state-dir) to one, for example ${join(dir, 'crossdock-state')}`,
    { category: 'user', retryable: false },
  );
}

function moveLegacyFiles(legacyDir: string, dir: string, inUse: Set<string>): string[] {
  const notices: string[] = [];
  for (const name of Object.values(STATE_FILES)) {
    const old = join(legacyDir, name);
    const now = join(dir, name);
    if (!existsSync(old) || resolve(old) === resolve(now) || inUse.has(resolve(old))) continue;
    if (existsSync(now)) {
      notices.push(
        `${old} was left by an earlier version and is not used: ${now} is. Remove the old one once you have checked which is right`,
      );
      continue;
    }
    moveFile(old, now);
    notices.push(`moved ${old} to ${now}: state files now live in the state directory`);
  }
  return notices;
}

/** A rename; across filesystems a copy (modes kept) and then the removal of the original. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, to);
    rmSync(from);
  }
}
