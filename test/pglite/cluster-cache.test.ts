import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { IN_MEMORY, openStore } from '../../src/store/index.ts';
import { nodeScript } from '../support/node-script.ts';

const PGLITE_VERSION = JSON.parse(
  readFileSync(
    new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url),
    'utf8',
  ),
).version as string;

/** The cluster's system identifier: initdb draws a new one, a copy keeps its source's. */
const systemIdentifier = (dataDir: string) =>
  readFileSync(join(dataDir, 'global', 'pg_control'))
    .subarray(0, 8)
    .toString('hex');

/** Opens the embedded store at each path in a child process whose home folder is `home`; the outcome per path. */
function openWithHome(
  home: string,
  paths: string[],
): { path: string; outcome: string; message?: string }[] {
  const child = spawnSync(
    process.execPath,
    [...nodeScript(new URL('./open-child.ts', import.meta.url)), ...paths],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOME: home } },
  );
  assert.equal(child.status, 0, child.stderr);
  return child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

// A new embedded data directory is a copy of a pristine cluster made once per PGlite version
// in the user's cache folder (~/.cache/crossdock), instead of running initdb again.
describe('pristine cluster cache', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('new data directories are copies of the one pristine cluster in the cache, and work on their own', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-cluster-'));
    roots.push(root);
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    for (const dataDir of [a, b]) {
      const store = await openStore({
        kind: 'pglite',
        dataDir,
        synchronous: false,
        vacuumIntervalMs: 3_600_000,
      });
      assert.deepEqual(await store.migrate(), [], 'a new directory starts at the current schema');
      // Only the database Crossdock uses is copied: the templates were a third of every copy.
      const databases = await sql<{ datname: string }>`SELECT datname FROM pg_database`.execute(
        store.db,
      );
      assert.deepEqual(
        databases.rows.map((r) => r.datname),
        ['postgres'],
      );
      await store.close();
    }
    const pristine = join(homedir(), '.cache', 'crossdock', `pglite-${PGLITE_VERSION}`);
    assert.ok(
      existsSync(join(pristine, 'PG_VERSION')),
      `the pristine cluster is kept in ${pristine}`,
    );
    assert.equal(systemIdentifier(a), systemIdentifier(pristine));
    assert.equal(systemIdentifier(b), systemIdentifier(pristine));
    assert.equal(lstatSync(join(homedir(), '.cache', 'crossdock')).mode & 0o777, 0o700);
    assert.ok(!readdirSync(a).includes('.crossdock-init'), 'nothing of the staging folder is left');
  });

  test('the cache is made on first use, private; a cache folder other users can write is passed over', () => {
    const home = mkdtempSync(join(tmpdir(), 'crossdock-home-'));
    roots.push(home);
    const [first, second] = [join(home, 'first'), join(home, 'second')];
    assert.deepEqual(
      openWithHome(home, [first, IN_MEMORY]).map((r) => r.outcome),
      ['opened', 'opened'],
    );
    const cache = join(home, '.cache', 'crossdock');
    const pristine = join(cache, `pglite-${PGLITE_VERSION}`);
    assert.equal(systemIdentifier(first), systemIdentifier(pristine));
    for (const path of [cache, pristine, join(pristine, 'PG_VERSION')])
      assert.equal(lstatSync(path).mode & 0o077, 0, `${path} is owner-only`);
    const [schemaCopy, ...others] = readdirSync(cache).filter(
      (n) => n.includes('-schema-') && !n.endsWith('.tar'),
    );
    assert.deepEqual(
      readdirSync(cache).sort(),
      [`pglite-${PGLITE_VERSION}`, schemaCopy, `${schemaCopy}.tar`].sort(),
      'the pristine cluster, the one with the migrations applied and its image for stores kept in memory; no staging folder left behind',
    );
    assert.deepEqual(others, []);
    const image = join(cache, `${schemaCopy}.tar`);
    assert.equal(lstatSync(image).mode & 0o077, 0, 'the image is owner-only');
    const whole = readFileSync(image);
    truncateSync(image, Math.floor(whole.length / 3)); // cut short, as by a full disk
    assert.deepEqual(
      openWithHome(home, [IN_MEMORY]).map((r) => r.outcome),
      ['opened'],
      'a damaged image is made again',
    );
    assert.equal(lstatSync(image).size, whole.length);
    const schema = join(cache, schemaCopy!);
    assert.equal(
      systemIdentifier(schema),
      systemIdentifier(pristine),
      'a copy of the pristine one',
    );
    for (const path of [schema, join(schema, 'PG_VERSION')])
      assert.equal(lstatSync(path).mode & 0o077, 0, `${path} is owner-only`);

    chmodSync(cache, 0o777); // anyone could have planted files here
    assert.deepEqual(
      openWithHome(home, [second]).map((r) => r.outcome),
      ['opened'],
    );
    assert.notEqual(
      systemIdentifier(second),
      systemIdentifier(pristine),
      'made by initdb, not copied from an unsafe cache',
    );
  });
});
