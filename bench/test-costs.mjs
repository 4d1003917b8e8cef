#!/usr/bin/env node
/**
 * Where a test run's time goes: runs scripts/run-tests.mjs over the given folders or files
 * (default: the folders of `npm test`) with bench/test-costs/probe.mjs loaded into every node
 * process, then prints CPU seconds (user + system) per folder and per test file, counting each
 * child process (a `crossdock` command, PGlite's initdb, a second store process) to the test
 * file that started it. CPU is the figure to compare on a shared machine; wall time is shown
 * beside it with the load average. Browser processes (Chromium) are not node and are counted
 * only in the total of /usr/bin/time, if you wrap the command in it.
 * Usage: node bench/test-costs.mjs [<dir-or-file> ...]   (TOP=40 files listed; FROM=<file> reports
 * on the lines of an earlier run instead of running)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const NPM_TEST = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
const defaults = JSON.parse(NPM_TEST)
  .scripts.test.split(' ')
  .filter((word) => word.startsWith('test/'));
const targets = process.argv.length > 2 ? process.argv.slice(2) : defaults;
const dir = mkdtempSync(join(tmpdir(), 'crossdock-test-costs-'));
const out = process.env.FROM ?? join(dir, 'processes.jsonl'); // FROM=<file>: only report on lines recorded earlier
const probe = new URL('./test-costs/probe.mjs', import.meta.url).pathname;
const loadBefore = loadavg();
const started = Date.now();
// The runner's report (TAP) is kept in a file; its failures and totals are printed at the end.
const reportFile = join(dir, 'report.tap');
const report = openSync(reportFile, 'w');
const run = process.env.FROM
  ? { status: null }
  : spawnSync(process.execPath, ['scripts/run-tests.mjs', ...targets], {
      stdio: ['ignore', report, 'inherit'],
      env: {
        ...process.env,
        CROSSDOCK_TEST_COSTS_OUT: out,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${probe}`.trim(),
      },
    });
const wallS = (Date.now() - started) / 1000;
closeSync(report);
const reportLines = readFileSync(reportFile, 'utf8').split('\n');
const failures = reportLines.filter((line) => /^\s*not ok /.test(line));
const totals = reportLines.filter((line) => /^# (tests|pass|fail|cancelled) /.test(line));
const processes = readFileSync(out, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
rmSync(dir, { recursive: true, force: true });

const byPid = new Map(processes.map((p) => [p.pid, p]));
// The runner starts each file's process with its absolute path: the file's bundle (test/x.test.mjs
// under the run's folder in node_modules/.cache), or the file itself with TEST_LOADER=tsx.
const TEST_FILE = /^\/.*\/(test\/.+\.test)\.(ts|mjs)$/;
const isTestFile = (p) => p.argv.length === 1 && TEST_FILE.test(p.argv[0]);
const testFileOf = (p) => {
  for (let at = p, hops = 0; at && hops < 10; at = byPid.get(at.ppid), hops++)
    if (isTestFile(at)) return `${TEST_FILE.exec(at.argv[0])[1]}.ts`;
  return '(runner)';
};
const kindOf = (p) =>
  isTestFile(p)
    ? 'test file'
    : p.argv[0]?.endsWith('pglite-init.mjs')
      ? 'initdb'
      : p.argv[0]?.endsWith('crossdock.js')
        ? 'crossdock command'
        : 'other';
const cpuS = (p) => (p.userMs + p.sysMs) / 1000;

const files = new Map();
const kinds = new Map();
for (const p of processes) {
  const file = testFileOf(p);
  const f = files.get(file) ?? { cpu: 0, wall: 0, children: 0 };
  f.cpu += cpuS(p);
  if (isTestFile(p)) f.wall = p.wallMs / 1000;
  else f.children++;
  files.set(file, f);
  const k = kinds.get(kindOf(p)) ?? { n: 0, cpu: 0 };
  k.n++;
  k.cpu += cpuS(p);
  kinds.set(kindOf(p), k);
}
const folders = new Map();
for (const [file, f] of files) {
  const folder = file.split('/')[1] ?? file;
  const g = folders.get(folder) ?? { cpu: 0, wall: 0, files: 0 };
  g.cpu += f.cpu;
  g.wall += f.wall;
  g.files++;
  folders.set(folder, g);
}
const total = processes.reduce((sum, p) => sum + cpuS(p), 0);
const fmt = (n, w = 7) => n.toFixed(1).padStart(w);
console.log(
  `${targets.length} targets, exit ${run.status}; wall ${wallS.toFixed(0)} s; node CPU ${total.toFixed(1)} s in ${processes.length} processes; ${cpus().length} cores; load ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} after`,
);
console.log('\nby kind of process          n   CPU s');
for (const [kind, k] of [...kinds].sort((a, b) => b[1].cpu - a[1].cpu))
  console.log(`${kind.padEnd(22)} ${String(k.n).padStart(6)} ${fmt(k.cpu)}`);
console.log('\nby folder              CPU s  file wall s (sum)  files');
for (const [folder, g] of [...folders].sort((a, b) => b[1].cpu - a[1].cpu))
  console.log(
    `${folder.padEnd(18)} ${fmt(g.cpu)} ${fmt(g.wall, 12)} ${String(g.files).padStart(12)}`,
  );
console.log('\nby test file (children counted to it)              CPU s  wall s  children');
for (const [file, f] of [...files]
  .sort((a, b) => b[1].cpu - a[1].cpu)
  .slice(0, Number(process.env.TOP ?? 40)))
  console.log(`${file.padEnd(50)} ${fmt(f.cpu)} ${fmt(f.wall)} ${String(f.children).padStart(9)}`);
process.exitCode = run.status ?? 1;
console.log(`\n${totals.join('; ')}`);
for (const line of failures) console.log(line.trim());
