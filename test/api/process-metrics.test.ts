import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createOutput } from '../../src/cli/output.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createCrossdock, startInstance } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';

// The process's own metrics (CPU, memory, event loop lag, GC) come from collectors that run
// for as long as the process does: made by the instance that serves /metrics, not by a
// worker-only process, which nobody scrapes.
describe('the process metrics in /metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-process-metrics-'));
  const config = loadConfig({
    CROSSDOCK_DATA_DIR: join(dir, 'data'),
    CROSSDOCK_STATE_DIR: join(dir, 'state'),
    CROSSDOCK_WORKFLOWS_DIR: join(dir, 'workflows'),
    CROSSDOCK_PORT: '0',
    CROSSDOCK_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a worker-only instance makes none; one serving the API shows them beside the instance's own", async () => {
    const worker = await startInstance(
      await createCrossdock(config, { logger: silentLogger() }),
      config,
      { api: false, workers: 1 },
      createOutput(true),
    );
    const workerMetrics = await worker.crossdock.services.metrics.render();
    await worker.stop();
    assert.match(
      workerMetrics,
      /^# TYPE crossdock_runs_ended_total counter$/m,
      "the instance's own metrics",
    );
    assert.doesNotMatch(workerMetrics, /crossdock_process_/);

    const served = await startInstance(
      await createCrossdock(config, { logger: silentLogger() }),
      config,
      { api: true, workers: 1 },
      createOutput(true),
    );
    try {
      const admin = await served.crossdock.services.users.create({
        email: 'admin@acme.test',
        role: 'admin',
        password: 'a long enough password',
      });
      const { token } = await served.crossdock.services.tokens.create(
        { id: admin.id, role: 'admin' },
        { name: 'scraper' },
        null,
      );
      const response = await fetch(`${served.url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /^# TYPE crossdock_runs_ended_total counter$/m);
      for (const name of [
        'crossdock_process_process_cpu_seconds_total',
        'crossdock_process_process_resident_memory_bytes',
        'crossdock_process_nodejs_eventloop_lag_p99_seconds',
      ])
        assert.match(text, new RegExp(`^${name} `, 'm'), name);
    } finally {
      await served.stop();
    }
  });

  test('an instance stopped leaves no timer, socket or process listener behind', async () => {
    const start = async () =>
      (
        await startInstance(
          await createCrossdock(config, { logger: silentLogger() }),
          config,
          { api: true, workers: 1 },
          createOutput(true),
        )
      ).stop();
    const processState = () => ({
      resources: process.getActiveResourcesInfo().sort(),
      // Not 'exit': pino's log destinations share one exit hook (on-exit-leak-free), held
      // until the last of them is garbage collected, whenever that is.
      listeners: Object.fromEntries(
        process
          .eventNames()
          .filter((n) => n !== 'exit')
          .map((n) => [n, process.listenerCount(n)]),
      ),
    });
    await start(); // what a process makes once (modules' own) is made by the first
    const before = processState();
    await start();
    assert.deepEqual(processState(), before);
  });
});
