import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';

const crossdock = runCrossdock;

describe('crossdock CLI without a database', () => {
  let server: CountingServer;
  let dir: string;
  before(async () => {
    server = await startCountingServer();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-cli-'));
    made.push(dir);
    writeFileSync(
      join(dir, 'notify.yaml'),
      `id: notify
trigger: { event: order.created }
steps:
  - id: amount
    type: transform
    with: { total: "= input.total * 2" }
  - id: call
    type: http.request
    with: { method: POST, url: "${server.url}/orders", body: { total: "= steps.amount.output.total" } }
`,
    );
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ source: 'shop', type: 'order.created', key: 'e1', payload: { total: 21 } }),
    );
  });
  const made: string[] = [];
  after(async () => {
    await server.close();
    for (const path of made) rmSync(path, { recursive: true, force: true });
  });

  test('simulate shows each step and the call it would make, and makes none', async () => {
    const result = await crossdock([
      'simulate',
      'notify',
      '--event',
      join(dir, 'event.json'),
      '--workflows',
      dir,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /amount \[transform\] executed: .*"total":42/);
    assert.match(
      result.stdout,
      /call \[http.request\] would-call: would call POST http:\/\/127\.0\.0\.1:\d+\/orders with body \{"total":42\}/,
    );
    assert.equal(server.requests.length, 0);
  });

  test('validate: exit 0 with each workflow and version; exit 1 naming file, line and path', async () => {
    const ok = await crossdock(['validate', dir]);
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /notify\.yaml\s+notify@[0-9a-f]{16}/);
    const bad = mkdtempSync(join(tmpdir(), 'crossdock-bad-'));
    made.push(bad);
    writeFileSync(join(bad, 'broken.yaml'), 'id: broken\nsteps:\n  - id: a\n    type: teleport\n');
    const refused = await crossdock(['validate', bad, '--json']);
    assert.equal(refused.status, 1);
    const problems = JSON.parse(refused.stdout).problems as {
      file: string;
      line: number;
      path: string;
      message: string;
    }[];
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.file, /broken\.yaml$/);
    assert.deepEqual([problems[0]!.line, problems[0]!.path], [4, 'steps[0].type']);
  });

  test('schema prints a JSON Schema an editor can use', async () => {
    const result = await crossdock(['schema']);
    assert.equal(result.status, 0);
    const schema = JSON.parse(result.stdout);
    assert.ok(schema.properties.steps);
    assert.ok(schema.required.includes('id'));
  });

  test('usage errors exit 2; a bad configuration value names the variable', async () => {
    assert.equal((await crossdock(['teleport'])).status, 2);
    const config = await crossdock(['runs', 'list'], { CROSSDOCK_PORT: 'eighty' });
    assert.equal(config.status, 1);
    assert.match(config.stderr, /CONFIG_INVALID[\s\S]*CROSSDOCK_PORT/);
  });

  test('`start` with no worker loops (API only) is refused on the embedded store, before it opens', async () => {
    const dataDir = join(dir, 'never-made');
    const start = await crossdock(['start', '--workers', '0'], { CROSSDOCK_DATA_DIR: dataDir });
    assert.equal(start.status, 1);
    assert.match(start.stderr, /CONFIG_INVALID[\s\S]*CROSSDOCK_WORKERS[\s\S]*PostgreSQL/);
    assert.equal(existsSync(dataDir), false, 'no data directory made');
  });
});
