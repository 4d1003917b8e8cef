import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { createCrossdock } from '../../src/main.ts';
import { createLogger } from '../../src/observability/index.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  openTestStore,
  TEST_STORE_KIND,
} from '../support/stores.ts';
import { runCrossdock } from '../support/cli.ts';

// The state directory (secrets key, CLI token, first-admin code) and the secrets key's
// safety: on both stores, through a whole Crossdock as `start` opens it.

interface Site {
  root: string;
  env: Record<string, string>;
  /** The key file this site uses: generated in the state directory (embedded), or given (a server deployment). */
  keyFile: string;
  dispose(): Promise<void>;
}

/** A Crossdock home: <root>/data (embedded) and <root>/state by default; a server database otherwise. */
async function newSite(): Promise<Site> {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-state-'));
  if (TEST_STORE_KIND === 'postgres') {
    const url = await createTestDatabase('crossdock_state');
    const keyFile = join(root, 'secrets.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    return {
      root,
      keyFile,
      env: {
        DATABASE_URL: url,
        CROSSDOCK_DATA_DIR: join(root, 'data'),
        CROSSDOCK_SECRETS_KEY_FILE: keyFile,
      },
      dispose: async () => {
        await dropTestDatabase(url);
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  const t = await openTestStore({ onDisk: true }); // a migrated data directory, copied from the template
  const dataDir = (t.connection as { dataDir: string }).dataDir;
  await t.store.close();
  return {
    root: dirname(dataDir),
    keyFile: join(dirname(dataDir), 'state', 'secrets.key'),
    env: { CROSSDOCK_DATA_DIR: dataDir },
    dispose: async () => rmSync(dirname(dataDir), { recursive: true, force: true }),
  };
}

function captureLog(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => { level: number; msg: string; [k: string]: unknown }[];
} {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    logger: createLogger({ level: 'info', destination: sink }),
    lines: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

const start = (site: Site, logger = captureLog().logger) =>
  createCrossdock(loadConfig({ ...site.env, LOG_LEVEL: 'info' }), { logger });

describe('state directory and secrets key', () => {
  const sites: Site[] = [];
  after(async () => {
    for (const s of sites) await s.dispose();
  });

  test('a lost key file is never replaced while sealed secrets exist: the start is refused, naming the file; restored, every source works again', async () => {
    const site = await newSite();
    sites.push(site);
    const first = await start(site);
    const { secret } = await first.services.sources.create({
      name: 'shop',
      verification: 'path-token',
      mapping: { type: 'order.created', key: '= body.id' },
    });
    await first.close();
    const key = readFileSync(site.keyFile);
    rmSync(site.keyFile);

    await assert.rejects(start(site), (error: Error & { code?: string }) => {
      assert.equal(
        error.code,
        TEST_STORE_KIND === 'postgres' ? 'CONFIG_INVALID' : 'SECRETS_KEY_FILE_MISSING',
      );
      assert.ok(error.message.includes(site.keyFile), error.message);
      if (TEST_STORE_KIND === 'pglite')
        assert.match(
          error.message,
          /holds 1 secret\(s\) sealed with key .*Restore .*secrets\.key from your backup of the state directory/,
        );
      return true;
    });
    assert.equal(existsSync(site.keyFile), false, 'no new key was made');
    // What the operator sees from the command line.
    const cli = await runCrossdock(['secrets', 'list'], site.env);
    assert.equal(cli.status === 0, false);
    assert.ok(cli.stderr.includes(site.keyFile), cli.stderr);

    writeFileSync(site.keyFile, key, { mode: 0o600 });
    const restored = await start(site);
    assert.equal(await restored.services.sources.secretOf('shop'), secret);
    await restored.close();
  });

  test('a key that does not open the sealed secrets is reported at start, naming its key ids and what to do', async () => {
    const site = await newSite();
    sites.push(site);
    const first = await start(site);
    await first.services.sources.create({
      name: 'shop',
      verification: 'path-token',
      mapping: { type: 'order.created', key: '= body.id' },
    });
    const sealedWith = (await first.services.secrets.list())[0]!.keyId;
    await first.close();
    writeFileSync(site.keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 }); // the wrong file put back

    const log = captureLog();
    const again = await start(site, log.logger);
    await again.close();
    const reported = log
      .lines()
      .find((l) => l.level === 50 && /sealed with a key this process does not have/.test(l.msg));
    assert.ok(reported, JSON.stringify(log.lines()));
    assert.deepEqual(reported.keyIds, [sealedWith]);
    assert.equal(reported.secrets, 1);
    assert.match(
      reported.msg,
      /restore the key file, or CROSSDOCK_SECRETS_PREVIOUS_KEYS\), or set each secret again/,
    );
  });

  test('state files live in <home>/state (0700, files 0600); those an earlier version left beside the data directory are moved in', async () => {
    const site = await newSite();
    sites.push(site);
    // An earlier version's layout: the state files in the data directory's parent, open to others.
    const legacyKey = `${randomBytes(32).toString('base64')}\n`;
    if (TEST_STORE_KIND === 'pglite')
      writeFileSync(join(site.root, 'secrets.key'), legacyKey, { mode: 0o644 });
    writeFileSync(join(site.root, 'first-admin-code'), 'old code\n', { mode: 0o644 });
    chmodSync(join(site.root, 'first-admin-code'), 0o644);
    const log = captureLog();
    const crossdock = await start(site, log.logger);
    const state = join(site.root, 'state');
    assert.equal(crossdock.config.security.stateDir, state);
    await crossdock.services.sources.create({
      name: 'shop',
      verification: 'path-token',
      mapping: { type: 'order.created', key: '= body.id' },
    });
    await crossdock.close();

    assert.equal(existsSync(join(site.root, 'first-admin-code')), false);
    assert.equal(statSync(state).mode & 0o777, 0o700);
    const moved = log
      .lines()
      .filter(
        (l) =>
          l.level === 40 && /^moved .* state files now live in the state directory$/.test(l.msg),
      )
      .map((l) => l.msg);
    assert.ok(
      moved.some((m) => m.includes(join(state, 'first-admin-code'))),
      JSON.stringify(log.lines()),
    );
    if (TEST_STORE_KIND === 'pglite') {
      assert.equal(
        readFileSync(join(state, 'secrets.key'), 'utf8'),
        legacyKey,
        'the old key is the one in use: nothing was generated',
      );
      assert.equal(existsSync(join(site.root, 'secrets.key')), false);
    }
    assert.ok(
      log
        .lines()
        .some(
          (l) =>
            l.level === 40 &&
            l.msg.includes(`under ${state} were open to other users and are now owner-only`),
        ),
      JSON.stringify(log.lines()),
    );
    for (const name of ['secrets.key', 'first-admin-code', 'cli-token']) {
      const path = join(state, name);
      if (existsSync(path)) assert.equal(statSync(path).mode & 0o777, 0o600, path);
    }
  });

  test('a state file of an earlier version is not moved over the one in use; the operator is told', async () => {
    const site = await newSite();
    sites.push(site);
    mkdirSync(join(site.root, 'state'), { recursive: true });
    writeFileSync(join(site.root, 'state', 'first-admin-code'), 'current\n', { mode: 0o600 });
    writeFileSync(join(site.root, 'first-admin-code'), 'old\n', { mode: 0o600 });
    const log = captureLog();
    const crossdock = await start(site, log.logger);
    await crossdock.close();
    assert.equal(readFileSync(join(site.root, 'first-admin-code'), 'utf8'), 'old\n');
    assert.ok(
      log
        .lines()
        .some(
          (l) =>
            l.level === 40 &&
            l.msg.startsWith(
              `${join(site.root, 'first-admin-code')} was left by an earlier version and is not used`,
            ),
        ),
      JSON.stringify(log.lines()),
    );
  });

  test('a shared folder (anybody may write, sticky bit, as /tmp) is refused as the state directory and left as it was', async () => {
    const site = await newSite();
    sites.push(site);
    const shared = join(site.root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    writeFileSync(join(shared, 'someone-elses.txt'), 'not Crossdock\n');
    chmodSync(join(shared, 'someone-elses.txt'), 0o644); // whatever the umask an earlier start left
    await assert.rejects(
      createCrossdock(
        loadConfig({ ...site.env, CROSSDOCK_STATE_DIR: shared, LOG_LEVEL: 'silent' }),
        { logger: captureLog().logger },
      ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'FILE_MODE_UNSAFE');
        assert.match(
          error.message,
          new RegExp(
            `The state directory ${shared} is shared with other users \\(mode 1777\\).*CROSSDOCK_STATE_DIR`,
          ),
        );
        return true;
      },
    );
    assert.equal(statSync(shared).mode & 0o7777, 0o1777, 'the shared folder keeps its mode');
    assert.equal(statSync(join(shared, 'someone-elses.txt')).mode & 0o777, 0o644);
  });
});
