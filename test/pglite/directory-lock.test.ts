import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { CrossdockError } from '../../src/errors/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { lockDataDirectory } from '../../src/store/lock-file.ts';
import { nodeScript } from '../support/node-script.ts';
import { openTestStore } from '../support/stores.ts';

// One embedded data directory, one process: whatever PID namespace the others run in (two
// containers on one volume) and whatever path they come by (a symlink). Each "other" is a
// real process; `unshare --pid --fork --mount-proc` gives it a PID namespace of its own.

interface Outcome {
  pid: number;
  path: string;
  outcome: string;
  message?: string;
}

const CHILD = nodeScript(new URL('./open-child.ts', import.meta.url));

function command(ownNamespace: boolean, args: string[]): [string, string[]] {
  return ownNamespace
    ? [
        'unshare',
        ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, ...CHILD, ...args],
      ]
    : [process.execPath, [...CHILD, ...args]];
}

/** Another process tries each path once and reports what happened. */
function tryOpen(paths: string[], ownNamespace: boolean): Promise<Outcome[]> {
  const [cmd, args] = command(ownNamespace, paths);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n').filter(Boolean);
      if (code !== 0 || lines.length !== paths.length)
        reject(new Error(`child exited ${code}: ${stdout}\n${stderr}`));
      else resolve(lines.map((l) => JSON.parse(l) as Outcome));
    });
  });
}

/** Another process that opens the store and keeps it until killed (or its stdin closes). */
async function startHolder(
  path: string,
  ownNamespace: boolean,
): Promise<{ child: ChildProcessWithoutNullStreams; seenAs: Outcome }> {
  const [cmd, args] = command(ownNamespace, ['--hold', path]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const seenAs = await new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.split('\n')[0]!) as Outcome);
    });
    child.on('close', (code) => reject(new Error(`holder exited ${code}: ${stdout}\n${stderr}`)));
  });
  return { child, seenAs };
}

/** Polls until the store opens (its lock is free), up to `boundMs`; STORE_LOCKED until then. */
async function openWhenFree(dataDir: string, boundMs: number): Promise<Store> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return await openStore({
        kind: 'pglite',
        dataDir,
        synchronous: false,
        vacuumIntervalMs: 3_600_000,
      });
    } catch (error) {
      if (
        !(error instanceof CrossdockError && error.code === 'STORE_LOCKED') ||
        Date.now() > deadline
      )
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * The lock's watch and helper never keep a process alive (a server has its own reasons to
 * live); this bound keeps the test's alive while it waits, and fails it if nothing comes.
 */
async function within<T>(promise: Promise<T>, boundMs: number): Promise<T> {
  let bound: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) =>
          (bound = setTimeout(() => reject(new Error(`nothing within ${boundMs} ms`)), boundMs)),
      ),
    ]);
  } finally {
    clearTimeout(bound);
  }
}

describe('embedded data directory lock', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('a second process is refused while the first serves: same path, a symlink, and its own PID namespace', async () => {
    const t = await openTestStore({ onDisk: true });
    assert.equal(t.connection.kind, 'pglite');
    const dataDir = (t.connection as { dataDir: string }).dataDir;
    const link = join(mkdtempSync(join(tmpdir(), 'crossdock-link-')), 'data');
    roots.push(join(link, '..'));
    symlinkSync(dataDir, link);

    const here = await tryOpen([dataDir, link], false);
    const elsewhere = await tryOpen([dataDir, link], true);
    assert.equal(
      elsewhere[0]!.pid,
      1,
      'the other process runs in a PID namespace of its own, where this process is not visible',
    );
    for (const attempt of [...here, ...elsewhere]) {
      assert.equal(attempt.outcome, 'STORE_LOCKED', `${attempt.path}: ${attempt.message}`);
      assert.match(
        attempt.message!,
        new RegExp(`in use by process ${process.pid} on host .*crossdock\\.lock`),
      );
    }
    // The first one still serves.
    assert.deepEqual((await sql<{ one: number }>`SELECT 1 AS one`.execute(t.store.db)).rows, [
      { one: 1 },
    ]);
    await t.dispose();
  });

  test('a killed holder in another namespace frees the directory at once; its lock is never taken while it lives', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-lock-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const link = join(root, 'link');
    const first = await openStore({
      kind: 'pglite',
      dataDir,
      synchronous: false,
      vacuumIntervalMs: 3_600_000,
    });
    await sql`CREATE TABLE marks (who text)`.execute(first.db);
    await first.close();
    symlinkSync(dataDir, link);

    const holder = await startHolder(link, true);
    assert.equal(holder.seenAs.outcome, 'opened');
    await assert.rejects(
      openStore({ kind: 'pglite', dataDir, synchronous: false, vacuumIntervalMs: 3_600_000 }),
      { code: 'STORE_LOCKED' },
    );

    const gone = new Promise((resolve) => holder.child.once('close', resolve));
    holder.child.kill('SIGKILL'); // unshare --kill-child takes the holder (pid 1 there) with it
    await gone;
    const taken = await openWhenFree(dataDir, 10_000);
    await sql`INSERT INTO marks VALUES ('after takeover')`.execute(taken.db);
    // The dead holder left nothing that frees this process's lock: others are still refused.
    const others = await tryOpen([dataDir, link], true);
    assert.deepEqual(
      others.map((o) => o.outcome),
      ['STORE_LOCKED', 'STORE_LOCKED'],
    );
    await taken.close();
    assert.ok(
      existsSync(join(dataDir, 'crossdock.lock')),
      'the lock file stays; only the OS lock on it comes and goes',
    );
    const reopened = await openStore({
      kind: 'pglite',
      dataDir: link,
      synchronous: false,
      vacuumIntervalMs: 3_600_000,
    });
    assert.deepEqual(
      (await sql<{ who: string }>`SELECT who FROM marks`.execute(reopened.db)).rows,
      [{ who: 'after takeover' }],
    );
    await reopened.close();
  });

  test('a holder whose lock file is deleted by hand stops instead of sharing the directory', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-lost-'));
    roots.push(root);
    let onLost!: (error: CrossdockError) => void;
    const lost = new Promise<CrossdockError>((resolve) => (onLost = resolve));
    const lock = await lockDataDirectory(root, { onLost, watchIntervalMs: 50 });
    await assert.rejects(lockDataDirectory(root), { code: 'STORE_LOCKED' });
    rmSync(lock.path);
    const error = await within(lost, 10_000);
    assert.equal(error.code, 'STORE_LOCK_LOST');
    assert.match(error.message, /crossdock\.lock was deleted or replaced; never delete it/);
    await lock.release();
    const next = await lockDataDirectory(root);
    await next.release();
  });

  test('a holder whose lock helper is killed stops instead of serving unlocked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crossdock-helper-'));
    roots.push(root);
    let onLost!: (error: CrossdockError) => void;
    const lost = new Promise<CrossdockError>((resolve) => (onLost = resolve));
    const lock = await lockDataDirectory(root, { onLost });
    // The flock(1) process holding this lock file, as `ps` would show it.
    const helperPid = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .find((pid) => {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          return argv[0] === 'flock' && argv.includes(lock.path);
        } catch {
          return false;
        }
      });
    assert.ok(helperPid, 'the flock helper is running');
    // Only the helper holds the lock: a process it started would keep it after the helper died.
    const children = readFileSync(`/proc/${helperPid}/task/${helperPid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean);
    assert.ok(children.length > 0, 'the helper waits on the process it runs');
    const lockFile = realpathSync(lock.path);
    for (const child of children)
      assert.ok(
        !readdirSync(`/proc/${child}/fd`).some((fd) => {
          try {
            return readlinkSync(`/proc/${child}/fd/${fd}`) === lockFile;
          } catch {
            return false;
          }
        }),
        `process ${child}, started by the helper, has the lock file open`,
      );
    process.kill(Number(helperPid), 'SIGKILL');
    const error = await within(lost, 10_000);
    assert.equal(error.code, 'STORE_LOCK_LOST');
    assert.match(error.message, /its helper process ended: SIGKILL/);
    await lock.release();
    const next = await lockDataDirectory(root);
    await next.release();
  });
});
