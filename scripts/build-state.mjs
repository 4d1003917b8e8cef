// What `npm run build` (scripts/build.mjs) makes, from which files, and whether a build is
// older than its sources. bin/crossdock.js asks this on every start, so it only reads file
// times: a few hundred stat calls, a few milliseconds.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** When each part's last build started, by part: dist/build.json (git-ignored, like dist/). */
export const STAMPS = join(ROOT, 'dist', 'build.json');

export const PARTS = {
  cli: {
    title: 'the CLI and server: src/ and sim/ compiled into dist/ (tsc), bundled into dist/cli/',
    inputs: [
      'src',
      'sim',
      'tsconfig.json',
      'tsconfig.build.json',
      'package-lock.json',
      'scripts/esbuild-shared.mjs',
    ],
    output: 'dist/cli/main.js',
  },
  dashboard: {
    title: 'the dashboard: dashboard/src built into dashboard/dist (vite)',
    inputs: [
      'dashboard/src',
      'dashboard/index.html',
      'dashboard/vite.config.ts',
      'package-lock.json',
    ],
    output: 'dashboard/dist/index.html',
  },
};

export function readStamps() {
  try {
    return JSON.parse(readFileSync(STAMPS, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Why `part` needs building, or null when its output exists and its last build started after
 * every input was last written. The start time is kept (not the end), so a file saved during
 * a build marks it stale.
 */
export function buildNeeded(part) {
  const { inputs, output } = PARTS[part];
  if (!existsSync(join(ROOT, output))) return `${output} is missing`;
  const startedAt = readStamps()[part];
  if (typeof startedAt !== 'number') return `${output} has no build stamp in dist/build.json`;
  for (const input of inputs) {
    const newer = newerThan(join(ROOT, input), startedAt);
    if (newer) return `${relative(ROOT, newer)} changed since the last build`;
  }
  return null;
}

/** The first file under `path` (a file or a folder) written after `time`, or null. */
function newerThan(path, time) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null; // an optional input that is not there
  }
  if (!stat.isDirectory()) return stat.mtimeMs > time ? path : null;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    const found = entry.isDirectory()
      ? newerThan(child, time)
      : statSync(child).mtimeMs > time
        ? child
        : null;
    if (found) return found;
  }
  return null;
}
