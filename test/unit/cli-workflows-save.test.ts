/**
 * `crossdock workflows save <file>`: the dashboard editor's save from a terminal, through the
 * running instance (found by its server file, with the user's own token) and on a free store.
 * A valid file becomes the version new runs take; an invalid one is refused with its line and
 * path; a token without workflows:write and a stale --base are refused, and nothing changes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Role } from '../../src/auth/index.ts';
import { createOutput } from '../../src/cli/output.ts';
import { loadConfig, type CrossdockConfig } from '../../src/config/index.ts';
import { createCrossdock, startInstance, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

const V1 = `id: pack-ship
version: 1
trigger: { event: parcel.ready }
steps:
  - id: label
    type: transform
    with: { carrier: slow-co }
`;
const V2 = V1.replace('version: 1', 'version: 2').replace('slow-co', 'fast-co');
const V3 = V1.replace('version: 1', 'version: 3').replace('slow-co', 'night-co');
/** Line 8 sends the step to one that does not exist. */
const BROKEN = `${V1.replace('version: 1', 'version: 4')}    next: nowhere
`;

describe('crossdock workflows save', () => {
  let t: TestStore<Reachable>;
  let config: CrossdockConfig;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-workflows-save-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const tokens: Partial<Record<Role, string>> = {};
  let running: Awaited<ReturnType<typeof startInstance>>;
  let crossdock: Crossdock;
  let v1 = '';
  let v2 = '';

  /** A run of the current version, to its end: the version it took and its output. */
  const runOf = async (x: Crossdock, key: string) => {
    const { runIds } = await x.engine.accept({
      source: 'shop',
      type: 'parcel.ready',
      key,
      payload: {},
    });
    const run = await waitForRun(x.engine, runIds[0]!);
    return { version: run.workflowVersion, output: run.output };
  };
  const current = (x: Crossdock) => x.engine.catalog.currentVersion('pack-ship')!.hash;
  const save = (args: string[], role: Role | null) =>
    runCrossdock(['workflows', 'save', ...args], {
      ...env,
      ...(role ? { CROSSDOCK_TOKEN: tokens[role]! } : {}),
    });

  before(async () => {
    t = await openTestStore({ onDisk: true });
    mkdirSync(join(dir, 'workflows'));
    writeFileSync(join(dir, 'workflows', 'pack-ship.yaml'), V1);
    env = {
      CROSSDOCK_STATE_DIR: join(dir, 'state'),
      CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
      CROSSDOCK_SECRETS_KEY: `${'A'.repeat(43)}=`,
      CROSSDOCK_HOST: '127.0.0.1',
    };
    if (t.connection.kind === 'pglite') {
      await t.store.close(); // the instance opens the data directory itself
      env.CROSSDOCK_DATA_DIR = t.connection.dataDir;
    } else env.DATABASE_URL = t.connection.url;
    // Port 0: only the server file the API writes tells the command where it is.
    config = loadConfig({ ...env, CROSSDOCK_PORT: '0', LOG_LEVEL: 'silent' });
    crossdock = await createCrossdock(config, { logger: silentLogger() });
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    running = await startInstance(crossdock, config, { api: true, workers: 1 }, createOutput(true));
    for (const role of ['integrator', 'operator'] as const) {
      const user = await crossdock.services.users.create({
        email: `${role}@acme.test`,
        role,
        password: 'a long enough password',
      });
      tokens[role] = (await crossdock.services.tokens.create(user, { name: 'cli' }, null)).token;
    }
    v1 = current(crossdock);
  });
  after(async () => {
    await running?.stop().catch(() => undefined);
    if (t.connection.kind === 'pglite')
      rmSync(dirname(t.connection.dataDir), { recursive: true, force: true });
    else await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('through the running instance: a valid file is saved as the version a new run then takes, and audited', async () => {
    const saved = await save([file('v2.yaml', V2)], 'integrator');
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stderr, new RegExp(`using the API at ${running.url}`));
    v2 = saved.stdout.split('\n')[0]!;
    assert.match(v2, /^[0-9a-f]{16,}$/);
    assert.notEqual(v2, v1);
    assert.match(
      saved.stdout,
      new RegExp(`saved .*v2\\.yaml as version ${v2} of pack-ship \\(was ${v1}\\)`),
    );
    assert.equal(current(crossdock), v2);
    assert.deepEqual(await runOf(crossdock, 'p-1'), {
      version: v2,
      output: { carrier: 'fast-co' },
    });
    const [entry] = await crossdock.services.audit.list({ action: 'workflow.version.save' });
    assert.match(entry?.actor ?? '', /integrator@acme\.test/);
    assert.deepEqual(
      [entry?.target, entry?.details.from, entry?.details.to],
      ['workflow:pack-ship', v1, v2],
    );
  });

  test('an invalid file is refused with its line and path; nothing is saved', async () => {
    const refused = await save([file('broken.yaml', BROKEN)], 'integrator');
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /error WORKFLOWS_INVALID: 1 problem\(s\) in the workflow text/);
    assert.match(refused.stderr, /pack-ship\.yaml:8 steps\[0\]\.next: /);
    assert.equal(current(crossdock), v2);
  });

  test('a token without workflows:write is refused; so is a stale --base; nothing is saved', async () => {
    const forbidden = await save([file('v3.yaml', V3)], 'operator');
    assert.equal(forbidden.status, 1, forbidden.stdout);
    assert.match(forbidden.stderr, /error FORBIDDEN: .*workflows:write/);
    const stale = await save([file('v3.yaml', V3), '--base', v1], 'integrator');
    assert.equal(stale.status, 1, stale.stdout);
    assert.match(
      stale.stderr,
      new RegExp(
        `error WORKFLOW_VERSION_CONFLICT: Workflow "pack-ship" is at version ${v2.slice(0, 12)} now, not ${v1.slice(0, 12)}`,
      ),
    );
    assert.equal(current(crossdock), v2);
    assert.equal(
      (await crossdock.services.audit.list({ action: 'workflow.version.save' })).length,
      1,
    );
  });

  test('on a free store (no server): saved with --base, audited as the command line, and the next start runs it', async () => {
    await running.stop();
    const saved = await save([file('v3.yaml', V3), '--base', v2], null);
    assert.equal(saved.status, 0, saved.stderr);
    assert.doesNotMatch(saved.stderr, /using the API/);
    const v3 = saved.stdout.split('\n')[0]!;
    assert.notEqual(v3, v2);
    const again = await save([file('v3-stale.yaml', V2), '--base', v2], null);
    assert.match(again.stderr, /error WORKFLOW_VERSION_CONFLICT/);

    // The next start (the files still hold version 1) takes the saved version.
    const next = await createCrossdock(config, { logger: silentLogger() });
    try {
      await next.engine.loadWorkflows(config.workflowsDir);
      assert.equal(current(next), v3);
      next.engine.startWorkers(1);
      assert.deepEqual(await runOf(next, 'p-2'), { version: v3, output: { carrier: 'night-co' } });
      const entries = await next.services.audit.list({ action: 'workflow.version.save' });
      const last = entries.find((e) => e.details.to === v3);
      assert.match(last?.actor ?? '', /^cli:/);
      assert.equal(last?.details.from, v2);
    } finally {
      await next.close();
    }
  });
});
