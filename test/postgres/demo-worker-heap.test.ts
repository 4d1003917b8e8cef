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
import { createTestDatabase, dropTestDatabase } from '../support/stores.ts';

/** The command lines of this process's `crossdock worker` children, waited for up to 10 s. */
async function workerCommands(): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = descendants(process.pid)
      .map((p) => p.command)
      .filter((c) => c.endsWith(' worker'));
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const [label, env, heapMb] of [
  ['by default', {}, 256],
  ['as CROSSDOCK_WORKER_HEAP_MB says', { CROSSDOCK_WORKER_HEAP_MB: '160' }, 160],
] as const) {
  test(`demo worker processes get a heap limit ${label}`, async () => {
    const database = await createTestDatabase('crossdock_heap');
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-heap-'));
    const workerEnv = { DATABASE_URL: database, CROSSDOCK_WORKFLOWS_DIR: dir, LOG_LEVEL: 'error' };
    const fleet = new WorkerFleet(
      workerEnv,
      dir,
      silentLogger(),
      loadConfig({ ...workerEnv, ...env }).workers.heapMb,
    );
    try {
      fleet.start(1);
      const commands = await workerCommands();
      assert.equal(commands.length, 1, `one worker process (${commands.join('; ')})`);
      assert.match(commands[0]!, new RegExp(`--max-old-space-size=${heapMb} `));
    } finally {
      await fleet.stop();
      rmSync(dir, { recursive: true, force: true });
      await dropTestDatabase(database);
    }
  });
}
