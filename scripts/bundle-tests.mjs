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
// Packages are bundled too, but for those that find files beside their own module (a
// WebAssembly build, a native addon, a browser, worker scripts) or are only built with:
// EXTERNAL. Loading a demo system's modules took 0.96 s of CPU with every package imported
// from node_modules (each CommonJS one read, resolved and scanned for its exports by node),
// 0.74 s bundled (six runs each, alternated). A package added to the project is bundled
// unless it is listed here.
//
// The expression isolation worker is bundled too, and the sources start that bundle: the
// worker beside the sources would load them through tsx, about a second of CPU in each test
// process that evaluates a regular expression (WORKERS below).
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { removeAbandonedRuns } from './run-folders.mjs';

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
 * Source files keep their own import.meta, except that a worker script in `bundled` (source
 * path -> bundle path) is started from its bundle; packages are bundled as they are.
 */
const ownImportMeta = (bundled = new Map()) => ({
  name: 'own-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
      let contents = await readFile(args.path, 'utf8');
      for (const [script, bundle] of bundled) {
        const named = `new URL('./${basename(script)}', import.meta.url)`;
        if (dirname(script) === dirname(args.path) && contents.includes(named))
          contents = contents.replaceAll(
            named,
            `new URL(${JSON.stringify(pathToFileURL(bundle).href)})`,
          );
      }
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
});

const EXTERNAL = [
  '@electric-sql/pglite', // its WebAssembly and data files, beside its module
  '@node-rs/*', // native addons
  '@gorules/*',
  'pg-native', // pg's optional native binding, not installed
  'pino', // transports start worker scripts beside the module
  'pino-*',
  'thread-stream',
  'imapflow', // it carries its own pino
  'playwright-core', // the browser driver and its assets
  'axe-core', // read as a file into the browser's page
  'esbuild', // the dashboard's build
  'vite',
  '@vitejs/*',
  'react',
  'react-dom',
  'typescript',
];

const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // A bundled CommonJS package that requires a node module (or another external) needs a
  // `require` in the ES module it is bundled into.
  banner: {
    js: "import { createRequire as __crossdockRequire } from 'node:module'; const require = __crossdockRequire(import.meta.url);",
  },
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
};

/** Bundles each of WORKERS into `outdir`; returns source script path -> bundle path. */
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
  return bundled;
}

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
  const workers = await bundleWorkers(outdir);
  const result = await esbuild.build({
    ...COMMON,
    entryPoints,
    outdir,
    outbase: ROOT,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    metafile: true,
    plugins: [ownImportMeta(workers)],
  });
  const outputs = Object.entries(result.metafile.outputs);
  const paths = entryPoints.map((entry) => {
    const found = outputs.find(([, o]) => o.entryPoint && resolve(ROOT, o.entryPoint) === entry);
    if (!found) throw new Error(`esbuild made no bundle for ${entry}`);
    return resolve(ROOT, found[0]);
  });
  return { paths, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}
