/**
 * The command line finds the running API wherever it listens: by the server file the API
 * writes in the state directory, with no flag; a stale file (its process gone) is ignored
 * with one line on stderr; `--api` wins over both. Through a server, `runs list` loads
 * neither the store nor the engine (the module log below records what it loads).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { createCrossdock, startInstance, type RunningInstance } from '../../src/main.ts';
import { createOutput } from '../../src/cli/output.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { loadedModules, runCrossdock } from '../support/cli.ts';

const WORKFLOW = `
id: tag-order
trigger: { event: order.created }
steps:
  - id: tag
    type: transform
    with: { tagged: "= event.payload.name" }
`;

/** A port nothing listens on (taken from the system, then freed). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return String(port);
}

/** Modules a process loaded, from the module log; the instance's own are those of the store, the engine and the composition root. */
const INSTANCE_MODULE =
  /\/src\/(store\/(?!private-files)|engine\/|main\.)|\/node_modules\/(@electric-sql\/pglite|kysely|pg)\//;

describe('the CLI finds its server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-finds-server-'));
  const env = {
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: join(dir, 'state'),
    CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
    LOG_LEVEL: 'silent',
  };
  let running: RunningInstance;
  let runId: string;
  let elsewhere: string;

  before(async () => {
    mkdirSync(env.CROSSDOCK_WORKFLOWS_DIR);
    writeFileSync(join(env.CROSSDOCK_WORKFLOWS_DIR, 'tag-order.yaml'), WORKFLOW);
    // Port 0: the system picks one, so only the server file can tell the CLI where it is.
    const config = loadConfig({ ...env, CROSSDOCK_PORT: '0', CROSSDOCK_HOST: '127.0.0.1' });
    const crossdock = await createCrossdock(config, { logger: silentLogger() });
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    running = await startInstance(crossdock, config, { api: true, workers: 1 }, createOutput(true));
    runId = (
      await crossdock.engine.accept({
        source: 'shop',
        type: 'order.created',
        key: 'S1',
        payload: { name: 'S00042' },
      })
    ).runIds[0]!;
    elsewhere = await closedPort(); // what CROSSDOCK_PORT says in the commands below: nothing answers there
  });
  after(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a running API writes its address, pid and start time in an owner-only server file', () => {
    const file = join(env.CROSSDOCK_STATE_DIR, 'server.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as {
      url: string;
      pid: number;
      startedAt: string;
    };
    assert.equal(record.url, running.url);
    assert.equal(record.pid, process.pid);
    assert.ok(!Number.isNaN(Date.parse(record.startedAt)), record.startedAt);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('runs list with no flag finds the server on its random port, lists its runs, and loads no store or engine', async () => {
    const log = join(dir, 'modules-through-server.txt');
    const result = await runCrossdock(
      ['runs', 'list'],
      { ...env, CROSSDOCK_PORT: elsewhere, CROSSDOCK_MODULE_LOG: log },
      60_000,
      { nodeArgs: ['--import', './test/support/module-log.mjs'] },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`${runId}\\s+tag-order`));
    assert.match(result.stderr, new RegExp(`using the running Crossdock at ${running.url}`));
    const loaded = loadedModules(log);
    assert.ok(
      loaded.some((url) => /\/cli\/server\.(ts|js)$/.test(url)),
      'the log records the CLI modules',
    );
    assert.deepEqual(
      loaded.filter((url) => INSTANCE_MODULE.test(url)),
      [],
    );
  });

  test('--api wins over the server file', async () => {
    const result = await runCrossdock(
      ['runs', 'list', '--api', `http://127.0.0.1:${elsewhere}`],
      env,
    );
    assert.equal(result.status, 3, result.stdout);
    assert.match(
      result.stderr,
      new RegExp(
        `STORE_UNAVAILABLE: Cannot reach the Crossdock API at http://127\\.0\\.0\\.1:${elsewhere}`,
      ),
    );
  });

  test('a stale server file (its process gone) is ignored in one stderr line, and the store is opened directly', async () => {
    const other = {
      CROSSDOCK_DATA_DIR: join(dir, 'other-data'),
      CROSSDOCK_STATE_DIR: join(dir, 'other-state'),
      CROSSDOCK_WORKFLOWS_DIR: env.CROSSDOCK_WORKFLOWS_DIR,
      CROSSDOCK_PORT: elsewhere,
    };
    const gone = spawnSync(process.execPath, ['-e', ''], { timeout: 30_000 }).pid!; // a process that has ended
    mkdirSync(other.CROSSDOCK_STATE_DIR, { mode: 0o700 });
    writeFileSync(
      join(other.CROSSDOCK_STATE_DIR, 'server.json'),
      JSON.stringify({ url: running.url, pid: gone, startedAt: new Date().toISOString() }),
      { mode: 0o600 },
    );
    const log = join(dir, 'modules-direct.txt');
    const result = await runCrossdock(
      ['runs', 'list'],
      { ...other, CROSSDOCK_MODULE_LOG: log },
      60_000,
      { nodeArgs: ['--import', './test/support/module-log.mjs'] },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '(none)'); // its own empty store, not the running server's runs
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('crossdock: ')); // (a stale build's note)
    assert.deepEqual(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `ignoring .*server\\.json: the server that wrote it \\(pid ${gone}\\) is not running`,
      ),
    );
    assert.ok(
      loadedModules(log).some((url) => INSTANCE_MODULE.test(url)),
      'the direct path opens the store: the module log sees it',
    );
    assert.ok(
      existsSync(join(other.CROSSDOCK_STATE_DIR, 'server.json')),
      'a stale file is left alone, not an error',
    );
  });

  test('users add --password-stdin creates the first administrator with no terminal, through the server', async () => {
    const result = await runCrossdock(
      ['users', 'add', 'boss@acme.test', '--role', 'admin', '--password-stdin'],
      { ...env, CROSSDOCK_PORT: elsewhere },
      60_000,
      { input: 'a long enough passphrase\n' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /boss@acme\.test \(admin\) added as the first administrator/);
    const login = await fetch(`${running.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'boss@acme.test', password: 'a long enough passphrase' }),
    });
    assert.equal(login.status, 200);
  });

  test('with no server file, the configured address (CROSSDOCK_PORT) is used when the server there accepts the CLI token', async () => {
    const file = join(env.CROSSDOCK_STATE_DIR, 'server.json');
    renameSync(file, `${file}.aside`);
    try {
      const result = await runCrossdock(['runs', 'list'], {
        ...env,
        CROSSDOCK_PORT: new URL(running.url!).port,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`${runId}\\s+tag-order`));
      assert.match(result.stderr, new RegExp(`using the running Crossdock at ${running.url}`));
    } finally {
      renameSync(`${file}.aside`, file);
    }
  });

  test("another instance at the configured address, which does not know this state directory's token, is not used", async () => {
    const other = {
      CROSSDOCK_DATA_DIR: join(dir, 'third-data'),
      CROSSDOCK_STATE_DIR: join(dir, 'third-state'),
      CROSSDOCK_WORKFLOWS_DIR: env.CROSSDOCK_WORKFLOWS_DIR,
      CROSSDOCK_PORT: new URL(running.url!).port,
    };
    mkdirSync(other.CROSSDOCK_STATE_DIR, { mode: 0o700 });
    writeFileSync(join(other.CROSSDOCK_STATE_DIR, 'cli-token'), 'a token of another start\n', {
      mode: 0o600,
    });
    const result = await runCrossdock(['runs', 'list'], other);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '(none)'); // its own empty store, not the other instance's runs
  });

  test('a clean stop removes the server file (runs last: it stops the server)', async () => {
    const file = join(env.CROSSDOCK_STATE_DIR, 'server.json');
    assert.ok(existsSync(file));
    await running.stop();
    assert.equal(existsSync(file), false);
  });
});
