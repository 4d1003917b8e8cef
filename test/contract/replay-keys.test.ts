import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

// book acts on the outside world (the counting server applies each key once); confirm is
// made to fail after it, so the run dead-letters with its booking made.
const flow = (url: string) => `
id: ship
trigger: { event: order.ready }
steps:
  - id: prepare
    type: transform
    with: { order: "= input.order" }
  - id: announce
    type: event.emit
    with: { source: shop, type: order.booking, key: "= 'booking-' & input.order", payload: {} }
  - id: book
    type: http.request
    with: { method: POST, url: "${url}/book", body: { order: "= steps.prepare.output.order" } }
  - id: confirm
    type: http.request
    with: { method: POST, url: "= '${url}/confirm/' & steps.prepare.output.order" }
    retry: { max_attempts: 1 }
`;

describe('a replay from an earlier step keeps the keys of the effects already made', () => {
  let t: TestStore;
  let engine: Engine;
  let server: CountingServer;
  before(async () => {
    t = await openTestStore();
    server = await startCountingServer();
    engine = await engineWith(t.store, [flow(server.url)]);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await server.close();
    await t.dispose();
  });

  const bookings = (runId: string) =>
    server.applied.filter((key) => key.startsWith(`${runId}:book:`));
  /** A run that booked, then failed at confirm. */
  const failedAfterBooking = async (order: string) => {
    // Once the booking is applied, the next request (confirm) is refused.
    server.onApplied = (key) => key.includes(':book:') && server.failNext(1, 422);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.ready',
      key: order,
      payload: { order },
    });
    const runId = runIds[0]!;
    const run = await waitForRun(engine, runId);
    server.onApplied = undefined;
    assert.equal(run.status, 'failed');
    assert.equal(run.cursor, 'confirm');
    assert.deepEqual(bookings(runId), [`${runId}:book:0`]);
    return runId;
  };

  test('the preview says the booking will be a repeat; the replay books once; the receiver sees the same key', async () => {
    const runId = await failedAfterBooking('SO-1');
    const preview = await engine.runs.previewReplay(runId, { fromStep: 'prepare' });
    assert.deepEqual(
      preview.effects.map((e) => [e.stepId, e.outcome, e.key, e.message]),
      [
        [
          'announce',
          'own',
          `${runId}:announce:0`,
          'its own check decides whether it acts again (deduplicated by its event key)',
        ],
        [
          'book',
          'repeat',
          `${runId}:book:0`,
          'same key: the external system will see a repeat and ignore it',
        ],
        [
          'confirm',
          'repeat',
          `${runId}:confirm:0`,
          'same key: the external system will see a repeat and ignore it',
        ],
      ],
    );
    const duplicatesBefore = server.duplicates;
    await engine.runs.replay(runId, { fromStep: 'prepare' });
    const replayed = await waitForRun(engine, runId);
    assert.equal(replayed.status, 'completed');
    assert.equal(
      replayed.steps.filter((s) => s.stepId === 'book' && s.status === 'completed').length,
      2,
      'book ran again',
    );
    assert.deepEqual(bookings(runId), [`${runId}:book:0`], 'and booked once');
    assert.equal(server.duplicates, duplicatesBefore + 1);
    // The history shows the replay.
    assert.deepEqual(
      replayed.signals.map((s) => [s.name, s.payload]),
      [['crossdock:replay', { fromStep: 'prepare', stoppedAt: 'confirm', again: [] }]],
    );
  });

  test('asked to act again, the booking gets a new key and books again; a later replay repeats that one', async () => {
    const runId = await failedAfterBooking('SO-2');
    const preview = await engine.runs.previewReplay(runId, {
      fromStep: 'prepare',
      again: ['book'],
    });
    assert.deepEqual(
      preview.effects.map((e) => [e.stepId, e.outcome, e.key, e.previousKey, e.message]),
      [
        [
          'announce',
          'own',
          `${runId}:announce:0`,
          `${runId}:announce:0`,
          'its own check decides whether it acts again (deduplicated by its event key)',
        ],
        ['book', 'again', `${runId}:book:0:again-1`, `${runId}:book:0`, 'new key: acts again'],
        [
          'confirm',
          'repeat',
          `${runId}:confirm:0`,
          `${runId}:confirm:0`,
          'same key: the external system will see a repeat and ignore it',
        ],
      ],
    );
    server.onApplied = (key) => key.startsWith(`${runId}:book:`) && server.failNext(1, 422); // confirm fails again
    await engine.runs.replay(runId, { fromStep: 'prepare', again: ['book'] });
    const failedAgain = await waitForRun(engine, runId);
    server.onApplied = undefined;
    assert.equal(failedAgain.status, 'failed');
    assert.deepEqual(bookings(runId), [`${runId}:book:0`, `${runId}:book:0:again-1`]);

    const next = await engine.runs.previewReplay(runId, { fromStep: 'prepare' });
    assert.deepEqual(
      next.effects.map((e) => [e.stepId, e.outcome, e.key]),
      [
        ['announce', 'own', `${runId}:announce:0`],
        ['book', 'repeat', `${runId}:book:0:again-1`],
        ['confirm', 'repeat', `${runId}:confirm:0`],
      ],
    );
    await engine.runs.replay(runId, { fromStep: 'prepare' });
    assert.equal((await waitForRun(engine, runId)).status, 'completed');
    assert.deepEqual(
      bookings(runId),
      [`${runId}:book:0`, `${runId}:book:0:again-1`],
      'no third booking',
    );
  });

  test("a process that has not loaded the run's workflow (the CLI, another instance) replays it the same way", async () => {
    const runId = await failedAfterBooking('SO-4');
    const fresh = await engineWith(t.store, []); // its catalog reads the run's version from the store
    const preview = await fresh.runs.previewReplay(runId, { fromStep: 'prepare' });
    assert.equal(preview.effects.find((e) => e.stepId === 'book')!.outcome, 'repeat');
    await fresh.runs.replay(runId, { fromStep: 'prepare' });
    assert.equal((await waitForRun(engine, runId)).status, 'completed');
    assert.deepEqual(bookings(runId), [`${runId}:book:0`]);
  });

  test('"act again" names a side-effect step the replay reaches, or is refused', async () => {
    const runId = await failedAfterBooking('SO-3');
    for (const [fromStep, again, message] of [
      ['prepare', ['prepare'], /"prepare" has no side effect/],
      ['confirm', ['book'], /"book" does not run again when replaying from "confirm"/],
      ['prepare', ['teleport'], /no step "teleport"/],
      [
        'prepare',
        ['announce'],
        /"announce" recognises a repeat by itself \(deduplicated by its event key\)/,
      ],
    ] as const) {
      await assert.rejects(
        engine.runs.replay(runId, { fromStep, again: [...again] }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'REPLAY_INVALID');
          assert.match(error.message, message);
          return true;
        },
      );
    }
    assert.equal(
      (await engine.runs.show(runId)).status,
      'failed',
      'a refused replay changes nothing',
    );
    await assert.rejects(engine.runs.signal(runId, 'crossdock:replay', {}), {
      code: 'SIGNAL_RESERVED',
    });
  });
});
