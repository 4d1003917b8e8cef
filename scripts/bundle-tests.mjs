// Bundles test files for scripts/run-tests.mjs: one esbuild build of every file given, with the
// modules they share split into common chunks, written under node_modules/.cache so that the
// bundles resolve the packages left out of them (EXTERNAL) from the project's node_modules.
// Each run has its own folder (worktrees and parallel runs share one node_modules), removed
// when the run ends; folders of runs that did not end are removed by the next one.
//
// What a bundle keeps of the sources it was made from:
// - `import.meta.url`, `import.meta.dirname` and `import.meta.filename` are replaced by the
//   source file's own, so paths found from them (fixtures, migrations, packs, workers) are
//   the same as under tsx;
// - function and class names (`keepNames`), which errors and logs print;
// - source maps, so a failure's stack names the TypeScript file and line.
//
// Packages are bundled too, but for those that find files beside their own module or are only
// built with (EXTERNAL, scripts/esbuild-shared.mjs). Loading a demo system's modules took
// 0.96 s of CPU with every package imported from node_modules (each of their files resolved,
// read and compiled by node, each CommonJS one scanned for its exports), 0.74 s bundled (six
// runs each, alternated).
//
// The expression isolation worker is bundled too, and the sources start that bundle: the
// worker beside the sources would load them through tsx, about a second of CPU in each test
// process that evaluates a regular expression (WORKERS below).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { NODE_BUNDLE, ownImportMeta } from './esbuild-shared.mjs';
import { removeAbandonedRuns } from './run-folders.mjs';
import { DEFAULT_GROUP_SIZE, groupFiles } from './test-groups.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'crossdock-tests');

/**
 * Worker scripts that test runs start as bundles: the script a source names
 * (`new URL('./<script>', import.meta.url)`), and the module and function that serve it.
 */
const WORKERS = [
  {
    script: 'src/workflows/expression-worker.mjs',
    serve: 'src/workflows/expression-serve.ts',
    entry: 'serveExpressions',
  },
];

/**
 * Scripts that tests start as processes of their own, named as workers are
 * (`new URL('./<script>', import.meta.url)`, its arguments from test/support/node-script.ts):
 * bundled, each starts in about half the CPU it takes through tsx (1.0 against 2.1-2.6 s).
 */
const CHILD_SCRIPTS = ['test/pglite/open-child.ts', 'test/postgres/step-locks-child.ts'];

const COMMON = { ...NODE_BUNDLE, absWorkingDir: ROOT };

/** Bundles each of WORKERS and CHILD_SCRIPTS into `outdir`; returns source script path -> bundle path. */
async function bundleWorkers(outdir) {
  const bundled = new Map();
  for (const worker of WORKERS) {
    const outfile = join(outdir, 'workers', basename(worker.script));
    await esbuild.build({
      ...COMMON,
      stdin: {
        contents: [
          `import { parentPort } from 'node:worker_threads';`,
          `import { ${worker.entry} } from ${JSON.stringify(join(ROOT, worker.serve))};`,
          `${worker.entry}(parentPort);`,
        ].join('\n'),
        resolveDir: ROOT,
        sourcefile: worker.script,
        loader: 'js',
      },
      outfile,
      plugins: [ownImportMeta()],
    });
    bundled.set(join(ROOT, worker.script), outfile);
  }
  for (const script of CHILD_SCRIPTS) {
    const outfile = join(outdir, 'children', `${basename(script, '.ts')}.mjs`);
    await esbuild.build({ ...COMMON, entryPoints: [script], outfile, plugins: [ownImportMeta()] });
    bundled.set(join(ROOT, script), outfile);
  }
  return bundled;
}

/**
 * Bundles `files` (paths of *.test.ts), a few to a bundle (scripts/test-groups.mjs): `paths`
 * are the bundles, each running its files in their order; `remove()` deletes them once the
 * run has ended.
 */
export async function bundleTests(files) {
  const size = Number(process.env.TEST_GROUP_SIZE ?? DEFAULT_GROUP_SIZE);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(
      `TEST_GROUP_SIZE must be a whole number of files, 1 or more; it is "${process.env.TEST_GROUP_SIZE}"`,
    );
  removeAbandonedRuns(CACHE, 'run-');
  const outdir = join(CACHE, `run-${process.pid}`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { groups, wrapped } = groupFiles(
    files.map((file) => resolve(file)),
    size,
    ROOT,
  );
  const entryPoints = groups.map((group) => groupEntry(outdir, group));
  const workers = await bundleWorkers(outdir);
  await esbuild.build({
    ...COMMON,
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    plugins: [ownImportMeta({ bundled: workers, sources: wrapped })],
  });
  const paths = entryPoints.map((entry) => join(outdir, `${entry.out}.mjs`));
  return { paths, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * The entry of a group's bundle: the file itself when it is alone, else a module importing
 * each, written into `outdir` and named after the first (`test/unit/cli+3.test`).
 */
function groupEntry(outdir, group) {
  const first = relative(ROOT, group[0]).replace(/\.ts$/, '');
  if (group.length === 1) return { in: group[0], out: first };
  const out = first.replace(/\.test$/, `+${group.length - 1}.test`);
  const entry = join(outdir, 'groups', `${out}.mjs`);
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(entry, group.map((file) => `import ${JSON.stringify(file)};\n`).join(''));
  return { in: entry, out };
}
