/** `crossdock exceptions act <id> book_by_hand name=value ...` on the store, as an operator at a terminal types it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

/** A booking every carrier refused (the code carrier.book fails with), and the step book by hand replays from. */
const BOOKING = `
id: ship
trigger: { event: ship }
steps:
  - id: book
    type: fail
    with: { code: CARRIER_ALL_FAILED, message: "every carrier refused the booking" }
  - id: booked-by-hand
    type: transform
    with: { carrier: "= input.case_action.carrier", tracking_ref: "= input.case_action.tracking_ref" }
`;

describe('crossdock exceptions act ... book_by_hand', () => {
  let t: TestStore<Reachable>;
  let env: Record<string, string>;
  let runId: string;
  const state = mkdtempSync(join(tmpdir(), 'crossdock-book-by-hand-cli-'));
  before(async () => {
    t = await openTestStore({ onDisk: true });
    const engine = await engineWith(t.store, [BOOKING]);
    engine.startWorkers(1);
    runId = (
      await engine.accept({ source: 'shop', type: 'ship', key: 's-1', payload: { order: 'S1' } })
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

  test('show says what the action takes; bad inputs are named; a good one replays the run with the booking', async () => {
    const list = await runCrossdock(['exceptions', 'list', '--json'], env);
    assert.equal(list.status, 0, list.stderr);
    const [only] = JSON.parse(list.stdout).cases;
    assert.deepEqual(only.actions, ['retry', 'replay', 'book_by_hand']);
    const show = await runCrossdock(['exceptions', 'show', only.id], env);
    assert.match(
      show.stdout,
      /book_by_hand takes carrier=\.\.\. tracking_ref=\.\.\. \(note: --reason\)/,
    );

    const noPair = await runCrossdock(
      ['exceptions', 'act', only.id, 'book_by_hand', 'euroline'],
      env,
    );
    assert.equal(noPair.status, 2);
    assert.match(noPair.stderr, /"euroline" is not an action input: give name=value/);
    const bad = await runCrossdock(
      ['exceptions', 'act', only.id, 'book_by_hand', 'tracking_ref=EL 1'],
      env,
    );
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /EXCEPTION_ACTION_INPUT_INVALID/);
    assert.match(bad.stderr, /inputs\.carrier: Carrier is required/);

    const act = await runCrossdock(
      [
        'exceptions',
        'act',
        only.id,
        'book_by_hand',
        'carrier=Spedition Kraus',
        'tracking_ref=SK-0042',
        '--reason',
        'booked by phone',
      ],
      env,
    );
    assert.equal(act.status, 0, act.stderr);
    const shown = JSON.parse(
      (await runCrossdock(['exceptions', 'show', only.id, '--json'], env)).stdout,
    );
    assert.equal(shown.status, 'retrying');
    assert.deepEqual(shown.run, { id: runId, status: 'ready', input: shown.run.input });
    assert.deepEqual(shown.run.input.case_action, {
      action: 'book_by_hand',
      case_id: only.id,
      by: shown.history.at(-1).actor,
      note: 'booked by phone',
      carrier: 'Spedition Kraus',
      tracking_ref: 'SK-0042',
    });
    assert.match(shown.history.at(-1).actor, /^cli:/);
    const again = await runCrossdock(
      ['exceptions', 'act', only.id, 'book_by_hand', 'carrier=x', 'tracking_ref=SK-0043'],
      env,
    );
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /EXCEPTION_ILLEGAL_TRANSITION/);
  });
});
