import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../src/engine/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const ORDER_FLOW = `
id: order-flow
version: 1
trigger:
  event: order.created
  filter: input.total > 0
steps:
  - id: price
    type: transform
    with:
      gross: "= input.total * 1.2"
      customer: "= input.customer"
  - id: size
    type: branch
    with:
      if: steps.price.output.gross > 100
      then: big
      else: small
  - id: big
    type: transform
    with: { label: big, gross: "= steps.price.output.gross" }
    end: true
  - id: small
    type: transform
    with: { label: small }
`;

describe('runs from events', () => {
  let t: TestStore;
  let engine: Engine;
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [ORDER_FLOW]);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await t.dispose();
  });

  test('an event starts a run that walks its steps and records each checkpoint', async () => {
    const accepted = await engine.accept({
      source: 'shop',
      type: 'order.created',
      key: 'o-1',
      payload: { total: 100, customer: 'Azure' },
    });
    assert.equal(accepted.duplicate, false);
    assert.equal(accepted.runIds.length, 1);
    const run = await waitForRun(engine, accepted.runIds[0]!);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.output, { label: 'big', gross: 120 });
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.status]),
      [
        ['price', 'completed'],
        ['size', 'completed'],
        ['big', 'completed'],
      ],
    );
    assert.deepEqual(run.steps[0]!.output, { gross: 120, customer: 'Azure' });
  });

  test('the filter decides whether a run starts; the event is still accepted', async () => {
    const accepted = await engine.accept({
      source: 'shop',
      type: 'order.created',
      key: 'o-zero',
      payload: { total: 0 },
    });
    assert.equal(accepted.runIds.length, 0);
    assert.match(accepted.eventId, /^\d+$/);
  });

  test('the same event sent 10 times concurrently yields one event and one run', async () => {
    const event = { source: 'shop', type: 'order.created', key: 'o-dup', payload: { total: 5 } };
    const answers = await Promise.all(Array.from({ length: 10 }, () => engine.accept(event)));
    assert.equal(new Set(answers.map((a) => a.eventId)).size, 1);
    assert.equal(answers.filter((a) => !a.duplicate).length, 1);
    assert.equal(answers.flatMap((a) => a.runIds).length, 1);
    const again = await engine.accept(event);
    assert.deepEqual(again, {
      eventId: answers[0]!.eventId,
      duplicate: true,
      conflict: false,
      runIds: [],
    });
    const runs = await engine.runs.list({ eventId: answers[0]!.eventId });
    assert.equal(runs.length, 1);
  });

  test('a duplicate key from another source is a different event', async () => {
    const a = await engine.accept({
      source: 'shop',
      type: 'order.created',
      key: 'shared',
      payload: { total: 1 },
    });
    const b = await engine.accept({
      source: 'edi',
      type: 'order.created',
      key: 'shared',
      payload: { total: 1 },
    });
    assert.notEqual(a.eventId, b.eventId);
    assert.equal(b.duplicate, false);
  });
});
