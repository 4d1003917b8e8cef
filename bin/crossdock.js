#!/usr/bin/env node
// The `crossdock` command. It runs the compiled JavaScript in dist/, which `npm ci` builds
// (`npm run build` builds it again). When that build is missing or older than the sources,
// a development checkout (tsx installed) runs the TypeScript sources through tsx instead,
// which starts several times slower; anywhere else the command says how to build and stops.
import { setFlagsFromString } from 'node:v8';
import { buildNeeded } from '../scripts/build-state.mjs';

// Commands that answer and exit spend most of their CPU compiling the embedded database's
// WebAssembly twice (a quick baseline, then optimised code in the background they never
// live to use). They keep the baseline only: `runs list` on a free store costs 0.7 s of CPU
// instead of 1.2 s (bench/RESULTS.md). Serving, demo, migrating, auditing and Odoo imports
// run long enough for the optimised code to pay; they keep V8's default. The flag is read
// when a module is compiled, so it is set before anything loads the database.
const ANSWER_AND_EXIT = new Set([
  'runs',
  'events',
  'approvals',
  'approvers',
  'exceptions',
  'users',
  'tokens',
  'secrets',
  'policies',
  'validate',
  'workflows',
  'schema',
  'simulate',
]);
if (ANSWER_AND_EXIT.has(process.argv[2] ?? '')) setFlagsFromString('--liftoff-only');

const stale = buildNeeded('cli');
if (stale === null) {
  const { main } = await import('../dist/src/cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(
      `crossdock: the compiled CLI cannot be used: ${stale}. Run \`npm run build\` (npm ci runs it, unless --ignore-scripts).\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `crossdock: ${stale}; running the TypeScript sources through tsx (slower to start; \`npm run build\` compiles them)\n`,
  );
  tsx.register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
