import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { waitForRun } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

const flow = (url: string) => `
id: ship
trigger: { event: order.ready }
steps:
  - id: prepare
    type: transform
    with: { order: "= input.order" }
  - id: book
    type: http.request
    with: { method: POST, url: "${url}/book", body: { order: "= steps.prepare.output.order" } }
  - id: confirm
    type: http.request
    with: { method: POST, url: "${url}/confirm" }
    retry: { max_attempts: 1 }
`;

/** The replay preview and "act again" as an operator reaches them: the API and `crossdock runs replay`. */
describe('replay preview and act again, over the API and the CLI', () => {
  let h: TestApi;
  let server: CountingServer;
  let runId = '';
  let token = '';
  before(async () => {
    server = await startCountingServer();
    h = await startTestApi({ workflows: [flow(server.url)] });
    h.engine.startWorkers(1);
    server.onApplied = (key) => key.includes(':book:') && server.failNext(1, 422); // confirm fails after the booking
    const { runIds } = await h.engine.accept({
      source: 'shop',
      type: 'order.ready',
      key: 'SO-9',
      payload: { order: 'SO-9' },
    });
    runId = runIds[0]!;
    assert.equal((await waitForRun(h.engine, runId)).status, 'failed');
    server.onApplied = undefined;
    token = await h.tokenFor('operator');
  });
  after(async () => {
    await h.engine.stopWorkers();
    await h.close();
    await server.close();
  });

  test('crossdock runs replay --dry-run lists the side effects and what each will do; nothing changes', async () => {
    const same = await runCrossdock(
      ['runs', 'replay', runId, '--from', 'prepare', '--dry-run', '--api', h.base],
      { CROSSDOCK_TOKEN: token },
    );
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, new RegExp(`replay of run ${runId} \\(ship\\) from prepare`));
    assert.match(
      same.stdout,
      /book\s+http\.request\s+same key: the external system will see a repeat and ignore it/,
    );
    const again = await runCrossdock(
      [
        'runs',
        'replay',
        runId,
        '--from',
        'prepare',
        '--again',
        'book',
        '--dry-run',
        '--api',
        h.base,
      ],
      { CROSSDOCK_TOKEN: token },
    );
    assert.match(
      again.stdout,
      /book\s+http\.request\s+new key: acts again\s+\(key \d+:book:0:again-1\)/,
    );
    assert.equal((await h.engine.runs.show(runId)).status, 'failed');
    assert.deepEqual(
      server.applied.filter((k) => k.includes(':book:')),
      [`${runId}:book:0`],
    );
  });

  test('POST /runs/:id/replay with again books anew, and the audit entry names it; a bad again is 400', async () => {
    const refused = await h.request('POST', `/api/v1/runs/${runId}/replay`, {
      token,
      body: { fromStep: 'confirm', again: ['book'] },
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'REPLAY_INVALID');
    assert.deepEqual(refused.body.error.details, [
      { path: 'again[0]', message: '"book" does not run again when replaying from "confirm"' },
    ]);
    const replayed = await h.request('POST', `/api/v1/runs/${runId}/replay`, {
      token,
      body: {
        fromStep: 'prepare',
        again: ['book'],
        reason: 'first booking was cancelled at the carrier',
      },
    });
    assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    assert.deepEqual(
      server.applied.filter((k) => k.includes(':book:')),
      [`${runId}:book:0`, `${runId}:book:0:again-1`],
    );
    const audit = await h.request('GET', '/api/v1/audit?action=run.replay', {
      token: await h.tokenFor('auditor'),
    });
    assert.deepEqual(audit.body.entries[0].details.again, ['book']);
  });
});
