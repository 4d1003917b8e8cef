#!/usr/bin/env node
// Runs node's test runner over test files found under the given folders.
// Node 20's `node --test` does not expand glob patterns, so we list the files here.
// Usage: node scripts/run-tests.mjs <dir-or-file> [<dir-or-file> ...]
//
// The files are first bundled, all at once, by esbuild (scripts/bundle-tests.mjs says
// how), and node runs the bundles: a TypeScript loader in every test process cost about 1.3 s
// of CPU per file, a fifth of `npm test` (docs/decisions/0059). A bundle runs several files,
// one after the other, each in a suite of its own (scripts/test-groups.mjs, docs/decisions/0073;
// TEST_GROUP_SIZE=1 for a process per file). TEST_LOADER=tsx runs the sources through tsx
// instead, a process per file. Temporary files go to a folder of the run's own,
// in memory where the machine allows (scripts/test-tmpdir.mjs says why), and the embedded
// database's WebAssembly stays on V8's baseline compiler (below).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { bundleTests } from './bundle-tests.mjs';
import { buildDashboard } from './dashboard-build.mjs';
import { testTmpdir } from './test-tmpdir.mjs';

function listTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: run-tests.mjs <dir> [<dir> ...]');
  process.exit(2);
}
const files = dirs.flatMap((path) => (statSync(path).isDirectory() ? listTests(path) : [path]));
if (files.length === 0) {
  console.error(`no *.test.ts files under ${dirs.join(', ')}`);
  process.exit(2);
}
// One file more than the machine has cores: a file waiting on a browser, a child process or a
// timer leaves its core to the others (on two cores, three at a time took 0.92x and 0.95x the
// wall of two in the whole suite, for 1 % and 4 % more CPU; bench/RESULTS.md).
const concurrency = process.env.TEST_CONCURRENCY ?? String(os.availableParallelism() + 1);
const viaTsx = process.env.TEST_LOADER === 'tsx';
const temporary = testTmpdir();
// The browser tests' dashboard is built once, beside the bundling (scripts/dashboard-build.mjs).
const servesDashboard = (file) => /(^|[\\/])test[\\/]dashboard[\\/]/.test(file);
const dashboard = files.some(servesDashboard) ? join(temporary.path, 'dashboard') : null;
const [bundles] = await Promise.all([
  viaTsx ? null : bundleTests(files),
  dashboard ? buildDashboard({ outDir: dashboard, quiet: true }) : null,
]);
// Off a terminal the report is TAP, and its failures' errors are printed again at the end
// (scripts/test-failures.mjs), where a log cut to its last lines still shows them.
const reporters = process.stdout.isTTY
  ? []
  : [
      '--test-reporter=tap',
      '--test-reporter-destination=stdout',
      `--test-reporter=${new URL('./test-failures.mjs', import.meta.url).pathname}`,
      '--test-reporter-destination=stderr',
    ];
const child = spawn(
  process.execPath,
  [
    ...(viaTsx ? ['--import', 'tsx'] : ['--enable-source-maps']),
    // The embedded database's WebAssembly is compiled once, by V8's baseline compiler: its
    // optimising tier costs more CPU in background threads than short test processes win back
    // (0.76x the CPU on two test files side by side, docs/decisions/0064). Test files pass the
    // flag on to the `crossdock` commands they start (test/support/cli.ts).
    '--liftoff-only',
    // A young generation of 32 MB semi-spaces (16 by default): a process now runs several
    // files, and scavenges fewer times (0.95x the CPU on 24 pack files, bench/RESULTS.md).
    '--max-semi-space-size=32',
    // More options for the runner and every test file's process, which node refuses in
    // NODE_OPTIONS: TEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profiles" profiles each.
    ...(process.env.TEST_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    '--test',
    ...reporters,
    `--test-concurrency=${concurrency}`,
    ...(bundles?.paths ?? files),
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      TMPDIR: temporary.path,
      ...(dashboard ? { CROSSDOCK_TEST_DASHBOARD: dashboard } : {}),
    },
  },
);
// Stopping the runner stops the tests; the bundles are removed once they have ended.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  bundles?.remove();
  temporary.remove();
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
});
