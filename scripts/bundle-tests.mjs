// Bundles test files for scripts/run-tests.mjs: one esbuild build of every file given, with the
// modules they share split into common chunks, written under node_modules/.cache so that the
// bundles resolve packages from the project's node_modules like the sources do. Each run has
// its own folder (worktrees and parallel runs share one node_modules), removed when the run
// ends; folders of runs that did not end are removed by the next one.
//
// What a bundle keeps of the sources it was made from:
// - `import.meta.url`, `import.meta.dirname` and `import.meta.filename` are replaced by the
//   source file's own, so paths found from them (fixtures, migrations, packs, workers) are
//   the same as under tsx;
// - function and class names (`keepNames`), which errors and logs print;
// - source maps, so a failure's stack names the TypeScript file and line.
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { removeAbandonedRuns } from './run-folders.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'crossdock-tests');

/** Source files keep their own import.meta; packages are not bundled. */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.')) {
        contents = contents
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
      }
      const loader = args.path.endsWith('.tsx') ? 'tsx' : /\.m?ts$/.test(args.path) ? 'ts' : 'js';
      return { contents, loader };
    });
  },
};

/**
 * Bundles `files` (paths of *.test.ts): `paths` are the bundles, in the same order; `remove()`
 * deletes them once the run has ended.
 */
export async function bundleTests(files) {
  removeAbandonedRuns(CACHE, 'run-');
  const outdir = join(CACHE, `run-${process.pid}`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const entryPoints = files.map((file) => resolve(file));
  const result = await esbuild.build({
    entryPoints,
    absWorkingDir: ROOT,
    outdir,
    outbase: ROOT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [ownImportMeta],
  });
  const outputs = Object.entries(result.metafile.outputs);
  const paths = entryPoints.map((entry) => {
    const found = outputs.find(([, o]) => o.entryPoint && resolve(ROOT, o.entryPoint) === entry);
    if (!found) throw new Error(`esbuild made no bundle for ${entry}`);
    return resolve(ROOT, found[0]);
  });
  return { paths, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}
