/**
 * `crossdock start --workers 0` serves the API only, beside `crossdock worker` processes (how
 * the two scale apart on PostgreSQL): it accepts events and runs none; a worker process runs
 * them. The embedded store refuses it (test/unit/cli.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { startCrossdock, type RunningCli } from '../support/cli.ts';
import { createTestDatabase, dropTestDatabase } from '../support/stores.ts';

const FLOW = `
id: tag-order
trigger: { event: order.created }
steps:
  - id: tag
    type: transform
    with: { tagged: "= input.name" }
`;

test('start with no worker loops stores the events and runs nothing; a worker process runs them', async () => {
  const database = await createTestDatabase('crossdock_api_only');
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-api-only-'));
  writeFileSync(join(dir, 'tag-order.yaml'), FLOW);
  const feed = join(dir, 'events.jsonl');
  writeFileSync(
    feed,
    ['A', 'B', 'C']
      .map((name) =>
        JSON.stringify({ source: 'shop', type: 'order.created', key: name, payload: { name } }),
      )
      .join('\n'),
  );
  const env = {
    DATABASE_URL: database,
    CROSSDOCK_WORKFLOWS_DIR: dir,
    CROSSDOCK_STATE_DIR: join(dir, 'state'),
    CROSSDOCK_PORT: '0',
    CROSSDOCK_LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
  const store = await openStore({ kind: 'postgres', url: database, poolSize: 2 });
  const running: RunningCli[] = [];
  const statuses = async () =>
    (await sql<{ status: string }>`SELECT status FROM runs ORDER BY id`.execute(store.db)).rows.map(
      (r) => r.status,
    );
  try {
    const start = startCrossdock(['start', '--workers', '0', '--feed', feed], env);
    running.push(start);
    const log = await start.output((out) => out.includes('sample events sent'));
    const started = log
      .split('\n')
      .filter((line) => line.includes('"workers started"'))
      .map((line) => JSON.parse(line) as { workers: number });
    assert.deepEqual(
      started.map((s) => s.workers),
      [0],
    );
    assert.deepEqual(await statuses(), ['ready', 'ready', 'ready'], 'stored, none run');

    running.push(startCrossdock(['worker'], env));
    const deadline = Date.now() + 30_000;
    while ((await statuses()).some((s) => s !== 'completed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100)); // polling the outcome, bounded by the deadline
    assert.deepEqual(await statuses(), ['completed', 'completed', 'completed']);
  } finally {
    for (const cli of running.reverse()) await cli.stop('SIGTERM');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await dropTestDatabase(database);
  }
});
