/** `crossdock exceptions ...` on the store directly, as an operator at a terminal uses it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

const FAILING = `
id: charge
trigger: { event: charge }
steps:
  - id: check
    type: branch
    with: { if: "input.amount > 0", then: ok, else: refuse }
  - id: refuse
    type: fail
    with: { code: AMOUNT_INVALID, message: "= 'amount ' & $string(input.amount) & ' is not positive'" }
  - id: ok
    type: transform
    with: { charged: "= input.amount" }
`;

describe('crossdock exceptions list | show | resolve | replay | act', () => {
  let t: TestStore<Reachable>;
  let env: Record<string, string>;
  let runId: string;
  const state = mkdtempSync(join(tmpdir(), 'crossdock-exceptions-cli-'));
  before(async () => {
    t = await openTestStore({ onDisk: true });
    const engine = await engineWith(t.store, [FAILING]);
    engine.startWorkers(1);
    runId = (
      await engine.accept({ source: 'shop', type: 'charge', key: 'c-1', payload: { amount: -5 } })
    ).runIds[0]!;
    assert.equal((await waitForRun(engine, runId)).status, 'failed');
    await engine.stopWorkers();
    env = { CROSSDOCK_STATE_DIR: state, CROSSDOCK_SECRETS_KEY: `${'A'.repeat(43)}=` };
    if (t.connection.kind === 'pglite') {
      await t.store.close(); // the command opens the data directory itself
      env.CROSSDOCK_DATA_DIR = t.connection.dataDir;
    } else {
      env.DATABASE_URL = t.connection.url;
    }
  });
  after(async () => {
    if (t.connection.kind === 'pglite')
      rmSync(dirname(t.connection.dataDir), { recursive: true, force: true });
    else await t.dispose();
    rmSync(state, { recursive: true, force: true });
  });

  test('list the dead letter, refuse an unknown reason code, resolve it, and show it with its history', async () => {
    const list = await runCrossdock(['exceptions', 'list', '--status', 'open', '--json'], env);
    assert.equal(list.status, 0, list.stderr);
    const [only, ...others] = JSON.parse(list.stdout).cases;
    assert.equal(others.length, 0);
    assert.deepEqual(
      [only.runId, only.errorCode, only.title],
      [runId, 'AMOUNT_INVALID', 'charge failed at refuse'],
    );

    // A failed run's case offers retry and replay, not a business action: refused with its code.
    assert.deepEqual(only.actions, ['retry', 'replay']);
    const act = await runCrossdock(['exceptions', 'act', only.id, 'check_again'], env);
    assert.notEqual(act.status, 0);
    assert.match(act.stderr, /EXCEPTION_ACTION_NOT_ALLOWED/);
    assert.match(act.stderr, /offers retry, replay/);

    const bad = await runCrossdock(['exceptions', 'resolve', only.id, 'because'], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /fixed_in_source/);
    const resolved = await runCrossdock(
      ['exceptions', 'resolve', only.id, 'data_corrected', '--reason', 'amount fixed in the shop'],
      env,
    );
    assert.equal(resolved.status, 0, resolved.stderr);
    assert.match(resolved.stdout, /resolved \(data_corrected\)/);

    const shown = JSON.parse(
      (await runCrossdock(['exceptions', 'show', only.id, '--json'], env)).stdout,
    );
    assert.equal(shown.errorMessage, 'amount -5 is not positive');
    assert.deepEqual(shown.failedStep, {
      id: 'refuse',
      input: { code: 'AMOUNT_INVALID', message: 'amount -5 is not positive' },
      error: shown.failedStep.error,
      attempts: 1,
    });
    const history = shown.history;
    assert.deepEqual(
      history.map((e: { action: string }) => e.action),
      ['opened', 'resolved'],
    );
    assert.match(history[1].actor, /^cli:/);
    assert.deepEqual(history[1].details, {
      reasonCode: 'data_corrected',
      note: 'amount fixed in the shop',
    });
  });

  test('replay needs the corrected input as a file', async () => {
    const missing = await runCrossdock(['exceptions', 'replay', '1'], env);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--input file\.json/);
    const file = join(state, 'input.json');
    writeFileSync(file, '{ not json');
    const bad = await runCrossdock(['exceptions', 'replay', '1', '--input', file], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /is not JSON/);
  });
});
