import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Engine, ManualClock } from '../../src/engine/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { engineWith, testSteps } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const SCAN = `
id: stalled-scan
trigger: { schedule: "0 */5 * * * *" }
steps:
  - id: scan
    type: transform
    with: { slot: "= input.slot" }
`;

describe('scheduled workflows', () => {
  let t: TestStore;
  const clock = new ManualClock('2026-03-02T09:00:30Z');
  let a: Engine;
  let b: Engine;
  before(async () => {
    t = await openTestStore();
    a = await engineWith(t.store, [SCAN], { clock });
    b = await engineWith(t.store, [SCAN], { clock }); // a second scheduler on the same database
  });
  after(() => t.dispose());

  const runs = () =>
    t.store.db
      .selectFrom('runs')
      .select(['id', 'input'])
      .where('workflow_id', '=', 'stalled-scan')
      .orderBy('id')
      .execute();

  test('one slot fires once however many schedulers see it', async () => {
    const [fromA, fromB] = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    assert.deepEqual(
      [...fromA, ...fromB].map((s) => s.slot),
      ['2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z'],
    );
    assert.deepEqual(
      (await runs()).map((r) => (r.input as { slot: string }).slot),
      ['2026-03-02T09:00:00.000Z'],
    );
    assert.deepEqual(await a.scheduler.tick(), [], 'the same slot is not sent again');
  });

  test('the next slot fires when it is due; after a long gap only the latest missed slot fires', async () => {
    clock.advance(4 * 60_000);
    assert.deepEqual(await a.scheduler.tick(), []);
    clock.advance(60_000);
    await b.scheduler.tick();
    clock.advance(60 * 60_000);
    await a.scheduler.tick();
    await b.scheduler.tick();
    assert.deepEqual(
      (await runs()).map((r) => (r.input as { slot: string }).slot),
      ['2026-03-02T09:00:00.000Z', '2026-03-02T09:05:00.000Z', '2026-03-02T10:05:00.000Z'],
    );
  });

  test('a bad cron pattern, or a trigger with both event and schedule, is refused when the file loads', () => {
    const bad = parseWorkflow(
      SCAN.replace('0 */5 * * * *', 'every five minutes'),
      'scan.yaml',
      testSteps(),
    );
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.problems[0]!.path, 'trigger.schedule');
    const both = parseWorkflow(
      SCAN.replace('{ schedule:', '{ event: x, schedule:'),
      'scan.yaml',
      testSteps(),
    );
    assert.equal(both.ok, false);
  });
});
