// What the two esbuild builds share: the compiled CLI (scripts/build.mjs) and the test bundles
// (scripts/bundle-tests.mjs). Both bundle the packages they import, but for EXTERNAL, and keep
// each of Crossdock's modules' own `import.meta`.
import { readFile } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Packages left to node: those that find files beside their own module (a WebAssembly build,
 * a native addon, worker scripts, a browser) or only build things. A package added to the
 * project is bundled unless it is listed here; if it looks for a file beside its module, its
 * tests fail at once, and it goes on the list.
 */
const EXTERNAL = [
  '@electric-sql/pglite', // its WebAssembly and data files, beside its module
  '@node-rs/*', // native addons
  '@gorules/*',
  'pg-native', // pg's optional native binding, not installed
  'pino', // transports start worker scripts beside the module
  'pino-*',
  'thread-stream',
  'imapflow', // it carries its own pino
  'smtp-server', // the demo's mail catcher: loaded by `demo` alone, as it is
  'playwright-core', // the browser driver and its assets
  'axe-core', // read as a file into the browser's page
  'esbuild', // the dashboard's build
  'vite',
  '@vitejs/*',
  'react',
  'react-dom',
  'typescript',
];

/**
 * A bundled CommonJS package that requires a node module (or an external package) needs a
 * `require` in the ES module it is bundled into; `__crossdockPath` serves ownImportMeta.
 */
const BANNER = {
  js: [
    "import { createRequire as __crossdockRequire } from 'node:module';",
    "import { fileURLToPath as __crossdockPath } from 'node:url';",
    'const require = __crossdockRequire(import.meta.url);',
  ].join(' '),
};

/** The options both builds give esbuild: ES modules for this Node, packages but EXTERNAL. */
export const NODE_BUNDLE = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  banner: BANNER,
  keepNames: true, // errors and logs print functions' and classes' names
  // The maps name the files and lines of what was bundled, not their text: node reads and
  // parses every map when it loads a bundle (0.69 s of CPU against 0.64 s for a test file
  // that loads a demo system's modules, eight runs each, alternated).
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};

/**
 * Each of Crossdock's modules keeps its own `import.meta.url`, `dirname` and `filename`, so
 * the files it finds from them (migrations, packs, worker scripts, the simulators' data) are
 * the ones beside its source or compiled file. `outdir`: every output file is written there,
 * and the paths are made relative to it, so the build can be moved; without it (the test
 * bundles, at several depths) they are absolute. `bundled` (script path -> bundle path): a
 * worker script that is started from a bundle of its own. `sources` (path -> text): what to
 * bundle in place of a file's own text (test files wrapped in a suite, scripts/test-groups.mjs).
 * Packages keep theirs.
 */
export function ownImportMeta({ outdir, bundled = new Map(), sources = new Map() } = {}) {
  const url = (file) =>
    outdir
      ? `new URL(${JSON.stringify(relative(outdir, file))}, import.meta.url).href`
      : JSON.stringify(pathToFileURL(file).href);
  return {
    name: 'own-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.(ts|tsx|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
        let contents = sources.get(args.path) ?? (await readFile(args.path, 'utf8'));
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
            .replaceAll('import.meta.url', `(${url(args.path)})`)
            .replaceAll('import.meta.dirname', `__crossdockPath(${url(dirname(args.path))})`)
            .replaceAll('import.meta.filename', `__crossdockPath(${url(args.path)})`);
        }
        const loader = args.path.endsWith('.tsx') ? 'tsx' : /\.m?ts$/.test(args.path) ? 'ts' : 'js';
        return { contents, loader };
      });
    },
  };
}
