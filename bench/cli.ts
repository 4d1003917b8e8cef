/**
 * How long a CLI command takes to answer, compiled (bin/crossdock.js running dist/, what
 * `npm ci` builds) against the TypeScript sources run through tsx (what bin/crossdock.js did
 * before dist/ existed, and still does in a development checkout whose build is stale).
 * Each round runs every command both ways, interleaved, against one migrated embedded store,
 * and measures each process with /usr/bin/time: wall seconds, and CPU seconds (user + system).
 * Then `crossdock runs list` again while an embedded instance (`crossdock start`) holds the
 * store: the command goes through its API (found by the server file it writes in the state
 * directory; an older checkout finds it at CROSSDOCK_PORT once the store refuses it).
 * Usage: npm run bench:cli     (BENCH_ROUNDS=7 to change the rounds)
 *   BENCH_CLI_BASELINE=<folder>  also runs that checkout's bin/crossdock.js (an older commit,
 *                                exported with its node_modules), as a third variant
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMMANDS = [['runs', 'list'], ['--help']];
/** Measured while a server runs; the label keeps them apart from the same command on a free store. */
const THROUGH_SERVER = 'runs list (server running)';

// The compiled side must be the current sources: build them first if they changed.
execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-changed', 'cli'], {
  cwd: ROOT,
  stdio: 'inherit',
});

const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-cli-'));
const env = {
  ...process.env,
  CROSSDOCK_DATA_DIR: join(dir, 'data'),
  CROSSDOCK_STATE_DIR: join(dir, 'state'),
  CROSSDOCK_WORKFLOWS_DIR: join(ROOT, 'examples/workflows'),
  LOG_LEVEL: 'silent',
};
// The entry bin/crossdock.js had before the build: tsx's hook, then the sources.
const fromSources = join(dir, 'from-sources.mjs');
const tsxApi = import.meta.resolve('tsx/esm/api');
writeFileSync(
  fromSources,
  `import { register } from '${tsxApi}';\nregister();\nconst { main } = await import('${pathToFileURL(join(ROOT, 'src/cli/main.ts')).href}');\nprocess.exitCode = await main(process.argv.slice(2));\n`,
);
const baseline = process.env.BENCH_CLI_BASELINE;
const VARIANTS: Record<string, string[]> = {
  compiled: [join(ROOT, 'bin/crossdock.js')],
  'sources (tsx)': [fromSources],
  ...(baseline ? { baseline: [join(resolve(baseline), 'bin/crossdock.js')] } : {}),
};
type Variant = string;

interface Sample {
  wallS: number;
  cpuS: number;
}

function measure(variant: Variant, args: string[], extraEnv: Record<string, string> = {}): Sample {
  const out = join(dir, 'time.txt');
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S', '-o', out, process.execPath, ...VARIANTS[variant]!, ...args],
    { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 },
  );
  if (run.status !== 0)
    throw new Error(`${variant} crossdock ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [wall, user, system] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map(Number);
  return { wallS: wall!, cpuS: user! + system! };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  execFileSync(process.execPath, [join(ROOT, 'bin/crossdock.js'), 'migrate'], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  const loadBefore = loadavg();
  const startedAt = new Date();
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const args of COMMANDS) {
      // Rotate which goes first, so none always meets the machine in the same state.
      const names = Object.keys(VARIANTS);
      const order = names.map((_, i) => names[(i + round) % names.length]!);
      for (const variant of order) {
        const key = `${args.join(' ')}|${variant}`;
        samples.set(key, [...(samples.get(key) ?? []), measure(variant, args)]);
      }
    }
  }
  // The same command while `crossdock start` (compiled, this checkout) holds the store.
  const port = String(await freePort());
  const server = spawn(
    process.execPath,
    [join(ROOT, 'bin/crossdock.js'), 'start', '--feed', join(ROOT, 'examples/events.jsonl')],
    { cwd: ROOT, env: { ...env, CROSSDOCK_PORT: port }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await untilServing(
      server,
      join(env.CROSSDOCK_STATE_DIR, 'server.json'),
      `http://127.0.0.1:${port}`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(VARIANTS);
      for (const variant of names.map((_, i) => names[(i + round) % names.length]!)) {
        const key = `${THROUGH_SERVER}|${variant}`;
        samples.set(key, [
          ...(samples.get(key) ?? []),
          measure(variant, ['runs', 'list'], { CROSSDOCK_PORT: port }),
        ]);
      }
    }
  } finally {
    await stopServer(server);
  }
  const loadAfter = loadavg();
  const fmt = (n: number) => n.toFixed(2);
  console.log(
    `${startedAt.toISOString()}: ${ROUNDS} rounds, ${cpus().length} CPUs, Node ${process.version}, load average ${loadBefore.map(fmt).join(' ')} -> ${loadAfter.map(fmt).join(' ')}\n`,
  );
  console.log(
    '| command | variant | wall s (median) | CPU s, user + system (median) | wall / compiled | CPU / compiled |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const label of [...COMMANDS.map((args) => args.join(' ')), THROUGH_SERVER]) {
    const medians = (variant: Variant) => {
      const list = samples.get(`${label}|${variant}`)!;
      return { wall: median(list.map((s) => s.wallS)), cpu: median(list.map((s) => s.cpuS)) };
    };
    const compiled = medians('compiled');
    for (const variant of Object.keys(VARIANTS)) {
      const m = medians(variant);
      console.log(
        `| \`crossdock ${label}\` | ${variant} | ${fmt(m.wall)} | ${fmt(m.cpu)} | ${fmt(m.wall / compiled.wall)}x | ${fmt(m.cpu / compiled.cpu)}x |`,
      );
    }
  }
  console.log(
    `\nEvery sample (wall/CPU s): ${[...samples.entries()].map(([key, list]) => `${key}: ${list.map((s) => `${fmt(s.wallS)}/${fmt(s.cpuS)}`).join(' ')}`).join('; ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Until the server has written its server file and answers, at most 180 s; an error if it ends first. */
async function untilServing(
  server: ReturnType<typeof spawn>,
  serverFile: string,
  url: string,
): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`crossdock start ended (${server.exitCode}) before answering`);
    const up =
      existsSync(serverFile) &&
      (await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`crossdock start did not answer at ${url} within 180 s`);
}

/** SIGTERM, then SIGKILL if it has not ended within 30 s. */
async function stopServer(server: ReturnType<typeof spawn>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const ended = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
  await ended;
  clearTimeout(timer);
}
