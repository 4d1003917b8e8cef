#!/usr/bin/env node
// `npm run build`: compiles the sources into dist/ and builds the dashboard into
// dashboard/dist. `npm ci` runs it (prepare); `npm start` runs it with --if-changed, which
// builds only a part whose sources changed since its last build, and says so.
//
//   node scripts/build.mjs [--if-changed] [cli] [dashboard]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { buildNeeded, PARTS, readStamps, ROOT, STAMPS } from './build-state.mjs';
import { buildDashboard } from './dashboard-build.mjs';
import { NODE_BUNDLE, ownImportMeta } from './esbuild-shared.mjs';

const args = process.argv.slice(2);
const ifChanged = args.includes('--if-changed');
const named = args.filter((a) => !a.startsWith('--'));
for (const name of named)
  if (!(name in PARTS))
    fail(`unknown part "${name}"; the parts are ${Object.keys(PARTS).join(', ')}`);
const parts = named.length > 0 ? named : Object.keys(PARTS);

for (const part of parts) {
  const reason = ifChanged ? buildNeeded(part) : 'requested';
  if (reason === null) continue;
  const startedAt = Date.now();
  process.stdout.write(
    `crossdock build: ${PARTS[part].title}${ifChanged ? ` (${reason})` : ''} ...\n`,
  );
  if (part === 'cli') await buildCli();
  else {
    resolveTool('vite', 'vite');
    await buildDashboard();
  }
  mkdirSync(dirname(STAMPS), { recursive: true });
  writeFileSync(STAMPS, `${JSON.stringify({ ...readStamps(), [part]: startedAt })}\n`);
  process.stdout.write(
    `crossdock build: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
  );
}

/**
 * tsc emits (no type check: `npm run typecheck` does that), then the runtime files that are not
 * TypeScript are copied beside the output, then esbuild bundles the CLI from it (bundleCli).
 */
async function buildCli() {
  for (const folder of ['src', 'sim', 'cli'])
    rmSync(join(ROOT, 'dist', folder), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [resolveTool('typescript/bin/tsc', 'typescript'), '-p', join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (tsc.status !== 0) fail('tsc could not compile the sources (see above)');
  for (const folder of ['src', 'sim']) copyAssets(join(ROOT, folder));
  await bundleCli();
}

/**
 * The command `bin/crossdock.js` runs: dist/src/cli/main.js and what it imports, packages
 * included (but for EXTERNAL), bundled into dist/cli/, each command's code in a chunk of its
 * own that loads when the command runs (dist/cli/modules.json lists the modules in each).
 * Node resolved, read and compiled the compiled sources and the packages file by file:
 * `crossdock runs list` took 0.73 s of CPU that way and 0.54 s bundled (docs/decisions/0031).
 * Every module keeps its own `import.meta`, so files found beside it (worker scripts, the
 * simulators' data) are read from dist/ as before.
 */
async function bundleCli() {
  resolveTool('esbuild', 'esbuild');
  const esbuild = await import('esbuild');
  const outdir = join(ROOT, 'dist', 'cli');
  const { metafile } = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'dist', 'src', 'cli', 'main.js')],
    outdir,
    ...NODE_BUNDLE,
    splitting: true,
    metafile: true,
    plugins: [ownImportMeta({ outdir })],
  });
  // Which modules each file of the bundle holds, for a reader of what a command loaded.
  const modules = Object.fromEntries(
    Object.entries(metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, output]) => [relative(outdir, join(ROOT, file)), Object.keys(output.inputs)]),
  );
  writeFileSync(join(outdir, 'modules.json'), `${JSON.stringify(modules)}\n`);
}

/** The worker and child-process scripts (.mjs) and the simulators' data (.json): loaded by path, so they sit beside the compiled modules. */
function copyAssets(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (['.mjs', '.json'].includes(extname(entry.name))) {
      const target = join(ROOT, 'dist', relative(ROOT, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
    }
  }
}

function resolveTool(module, dependency) {
  try {
    return createRequire(import.meta.url).resolve(module);
  } catch {
    return fail(`${dependency} is not installed; it is a dependency of Crossdock: run npm ci`);
  }
}

function fail(message) {
  process.stderr.write(`crossdock build: ${message}\n`);
  process.exit(1);
}
