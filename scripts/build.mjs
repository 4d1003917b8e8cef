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
  if (part === 'cli') buildCli();
  else await buildDashboard();
  mkdirSync(dirname(STAMPS), { recursive: true });
  writeFileSync(STAMPS, `${JSON.stringify({ ...readStamps(), [part]: startedAt })}\n`);
  process.stdout.write(
    `crossdock build: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`,
  );
}

/** tsc emits (no type check: `npm run typecheck` does that), then the runtime files that are not TypeScript are copied beside the output. */
function buildCli() {
  rmSync(join(ROOT, 'dist', 'src'), { recursive: true, force: true });
  rmSync(join(ROOT, 'dist', 'sim'), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [resolveTool('typescript/bin/tsc', 'typescript'), '-p', join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (tsc.status !== 0) fail('tsc could not compile the sources (see above)');
  for (const folder of ['src', 'sim']) copyAssets(join(ROOT, folder));
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

async function buildDashboard() {
  resolveTool('vite', 'vite');
  const { build } = await import('vite');
  const dir = join(ROOT, 'dashboard');
  await build({ configFile: join(dir, 'vite.config.ts'), root: dir });
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
