/**
 * Through the composition root: CROSSDOCK_AI_URL, CROSSDOCK_AI_MODEL and CROSSDOCK_AI_API_KEY
 * reach the ai.classify step of an instance made by createCrossdock, and the key reaches the
 * provider only in its Authorization header.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

const KEY = 'sk-instance-test-0123456789abcdef';
let sim: AiSimulator;
let t: TestStore<Reachable>;
let crossdock: Crossdock;
let dir: string;

before(async () => {
  [sim, t] = await Promise.all([
    startAiSimulator({ apiKey: KEY }),
    openTestStore({ onDisk: true }),
  ]);
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  dir = mkdtempSync(join(tmpdir(), 'crossdock-ai-'));
  const config = loadConfig({
    ...(t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir }),
    CROSSDOCK_STATE_DIR: dir,
    CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    CROSSDOCK_AI_URL: sim.url,
    CROSSDOCK_AI_MODEL: 'sim-triage-1',
    CROSSDOCK_AI_API_KEY: KEY,
    LOG_LEVEL: 'silent',
  });
  crossdock = await createCrossdock(config, {
    clock: new ManualClock('2026-03-02T09:00:00Z'),
    logger: silentLogger(),
    migrate: false,
  });
});
after(async () => {
  await crossdock?.close();
  await sim?.close();
  await t?.dispose().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an instance triages through the configured provider', async () => {
  sim.rules.push({
    match: /code: STOCK_SHORT/,
    answer: {
      category: 'stock_shortage',
      team: 'purchasing',
      action: 'Expedite the open purchase order.',
      confidence: 0.9,
      reason: 'Short stock.',
    },
  });
  const parsed = parseWorkflow(
    `
id: short
trigger: { event: short }
steps:
  - id: raise
    type: raise_exception
    with: { title: "= 'Short on ' & input.sku", code: STOCK_SHORT, owner: { team: warehouse } }
  - id: triage
    type: ai.classify
    with:
      use: exception_triage
      case_id: "= steps.raise.output.caseId"
      threshold: 0.8
      categories: [stock_shortage, carrier_delay]
      teams: [purchasing, warehouse]
`,
    'short.yaml',
    crossdock.engine.steps,
  );
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  await crossdock.engine.installWorkflows(parsed.workflows);
  crossdock.engine.startWorkers(1);
  const { runIds } = await crossdock.engine.accept({
    source: 'test',
    type: 'short',
    key: 'short-1',
    payload: { sku: 'SKU-9' },
  });
  const run = await waitForRun(crossdock.engine, runIds[0]!);
  assert.equal(run.status, 'completed');
  const output = run.steps.find((s) => s.stepId === 'triage')!.output as Record<string, unknown>;
  assert.equal(output.outcome, 'applied');
  assert.equal(output.team, 'purchasing');
  assert.equal(sim.requests.total, 1);
  assert.equal(sim.requests.entries[0]!.authorized, true);
  assert.ok(!sim.requests.entries[0]!.body.includes(KEY));
  const [row] = await crossdock.services.ai.list({ use: 'exception_triage' });
  assert.equal(row!.model, 'sim-triage-1');
  assert.doesNotMatch(JSON.stringify(row), new RegExp(KEY));
});
