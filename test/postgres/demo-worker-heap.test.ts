/**
 * The worker processes the demo starts on PostgreSQL run with a V8 heap limit, as `npm start`
 * gives the demo itself: CROSSDOCK_WORKER_HEAP_MB, 256 MB unless set. Without one, Node sizes
 * the heap from the machine's memory and the workers went over 300 MB (bench/RESULTS.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { WorkerFleet } from '../../src/demo/workers.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { descendants } from '../../bench/soak-proc.ts';
import { startCrossdock } from '../support/cli.ts';
import { createTestDatabase, dropTestDatabase } from '../support/stores.ts';

/** The command lines of this process's `crossdock worker` descendants, once there are `count`. */
async function workerCommands(count: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = descendants(process.pid)
      .map((p) => p.command)
      .filter((c) => c.endsWith(' worker'));
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('demo worker processes get a heap limit of 256 MB by default', async () => {
  const database = await createTestDatabase('crossdock_heap');
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-heap-'));
  const env = { DATABASE_URL: database, CROSSDOCK_WORKFLOWS_DIR: dir, LOG_LEVEL: 'error' };
  const fleet = new WorkerFleet(env, dir, silentLogger(), loadConfig(env).workers.heapMb);
  try {
    fleet.start(1);
    const commands = await workerCommands(1, 10_000);
    assert.equal(commands.length, 1, `one worker process (${commands.join('; ')})`);
    assert.match(commands[0]!, / --max-old-space-size=256 /);
    assert.match(commands[0]!, / --max-semi-space-size=4 /);
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(database);
  }
});

test('crossdock demo --worker-processes gives them CROSSDOCK_WORKER_HEAP_MB', async () => {
  const database = await createTestDatabase('crossdock_heap');
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-heap-'));
  const demo = startCrossdock(['demo', '--worker-processes', '2', '--port', '0'], {
    DATABASE_URL: database,
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_WORKER_HEAP_MB: '160',
  });
  try {
    const commands = await workerCommands(2, 180_000);
    assert.equal(commands.length, 2, `two worker processes (${commands.join('; ')})`);
    for (const command of commands) assert.match(command, / --max-old-space-size=160 /);
  } finally {
    await demo.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(database);
  }
});
