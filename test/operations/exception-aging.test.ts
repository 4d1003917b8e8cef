import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/engine/index.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { ChatSink } from '../notify/support.ts';
import { fireSlot, HOUR, startOps, stepsOf, type OpsInstance } from './support.ts';

type Aging = {
  count: number;
  open: number;
  byTeam: Record<string, number>;
  byAge: Record<string, number>;
  cases: { id: string }[];
  newlyBreached: { id: string; team: string | null; overdueHours: number }[];
  newlyBreachedCount: number;
};

/**
 * packs/operations/workflows/exception-aging.yaml through createCrossdock, on the test
 * store, alerting to the `ops` chat webhook (a local endpoint): age buckets and teams of the
 * open cases, and an SLA-breach alert that names each case once, in the slot its SLA passed.
 */
describe('exception-aging pack: age buckets, teams and one SLA alert per breach', () => {
  let t: TestStore<Reachable>;
  let chat: ChatSink;
  let ops: OpsInstance;
  const clock = new ManualClock('2026-05-31T23:00:00Z');
  const ids: Record<string, string> = {};
  const texts = () => chat.posts.map((p) => (p.body as { text: string }).text);

  async function nextPost(seen: number): Promise<string> {
    // The dispatcher delivers after the run's notify step queued it: run its passes until it has.
    for (let i = 0; chat.posts.length <= seen; i++) {
      if (i > 20) throw new Error('no chat post');
      const pass = ops.crossdock.notifications.dispatcher.nextPass();
      ops.crossdock.notifications.dispatcher.wake();
      await pass;
    }
    return texts()[seen]!;
  }

  before(async () => {
    chat = await new ChatSink().listen();
    t = await openTestStore({ onDisk: true });
    if (t.connection.kind === 'pglite') await t.store.close();
    ops = await startOps(t, clock, { CROSSDOCK_CHAT_WEBHOOK_OPS: `${chat.url}/hooks/ops` });
    const open = async (name: string, slaHours: number, team?: string) => {
      const opened = await ops.crossdock.services.exceptions.openCase(
        {
          title: `${name} needs a look`,
          severity: 'high',
          slaHours,
          key: name,
          ...(team ? { owner: { team } } : {}),
        },
        { actor: 'test' },
      );
      ids[name] = opened.case.id;
    };
    await open('a', 100, 'finance'); // opened 05-31 23:00, due 06-05 03:00
    clock.advance(37 * HOUR);
    await open('d', 48); //            opened 06-02 12:00, due 06-04 12:00, unassigned
    clock.advance(24 * HOUR);
    await open('c', 10.5, 'finance'); // opened 06-03 12:00, due 06-03 22:30
    clock.advance(10 * HOUR);
    await open('b', 1.5, 'dispatch'); // opened 06-03 22:00, due 06-03 23:30
    await open('resolved', 0.5, 'dispatch'); // due 22:30, but closed before: never counted
    await ops.crossdock.services.exceptions.resolve(ids.resolved!, 'false_alarm', null, {
      actor: 'test',
    });
  });
  after(async () => {
    await ops?.close();
    await chat?.close();
    await t?.dispose().catch(() => undefined);
  });

  test('23:00: case c passed its SLA in the last hour and is alerted', async () => {
    clock.advance(HOUR);
    const run = await fireSlot(ops, 'exception-aging', '2026-06-03T23:00:00.000Z');
    const aging = run.output as Aging;
    assert.deepEqual(
      aging.newlyBreached.map((c) => c.id),
      [ids.c],
    );
    assert.equal(aging.count, 1);
    assert.deepEqual(stepsOf(run), ['aging', 'anything', 'route', 'channel', 'alert-chat', 'done']);
    const text = await nextPost(0);
    assert.match(
      text,
      /^1 exception case\(s\) passed their SLA in the hour up to 2026-06-03T23:00:00.000Z:/,
    );
    assert.match(
      text,
      new RegExp(
        `- #${ids.c} \\[high\\] c needs a look - team finance, due 2026-06-03T22:30:00.000Z, 0.5 h overdue`,
      ),
    );
  });

  test('00:00: four open cases, one per age bucket, by team; only b (due 23:30) is newly breached, c is not alerted again', async () => {
    clock.advance(HOUR);
    const run = await fireSlot(ops, 'exception-aging', '2026-06-04T00:00:00.000Z');
    const aging = run.output as Aging;
    assert.equal(aging.open, 4);
    assert.deepEqual(aging.byAge, { '<4h': 1, '4-24h': 1, '1-3d': 1, '>3d': 1 });
    assert.deepEqual(aging.byTeam, { finance: 2, dispatch: 1, unassigned: 1 });
    assert.equal(aging.count, 2, 'b and c are past their SLA');
    assert.deepEqual(aging.cases.map((c) => c.id).sort(), [ids.b, ids.c].sort());
    assert.deepEqual(
      aging.newlyBreached.map((c) => [c.id, c.team, c.overdueHours]),
      [[ids.b, 'dispatch', 0.5]],
    );
    const text = await nextPost(1);
    assert.match(text, new RegExp(`#${ids.b} \\[high\\] b needs a look - team dispatch`));
    assert.doesNotMatch(text, new RegExp(`#${ids.c} `));
    assert.match(text, /Open cases: 4, past their SLA: 2\./);
    assert.match(text, /By age: under 4 h 1, 4-24 h 1, 1-3 days 1, over 3 days 1\./);
    assert.match(text, /By team: finance 2, dispatch 1, unassigned 1\./);
  });

  test('01:00: nothing newly breached, so no alert; the run still records the counts', async () => {
    clock.advance(HOUR);
    const run = await fireSlot(ops, 'exception-aging', '2026-06-04T01:00:00.000Z');
    const aging = run.output as Aging;
    assert.equal(aging.newlyBreachedCount, 0);
    assert.equal(aging.count, 2);
    assert.deepEqual(stepsOf(run), ['aging', 'anything', 'done']);
    const pass = ops.crossdock.notifications.dispatcher.nextPass();
    ops.crossdock.notifications.dispatcher.wake();
    await pass; // a pass ran after the run ended: had anything been queued, it would be sent by now
    assert.equal(chat.posts.length, 2, 'two alerts in three slots: one per breach');
  });
});
