import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openPostgresTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { MINUTE, startOps, stepsOf, type OpsInstance } from '../operations/support.ts';

/** An approval whose 15-minute SLA passes at the first slot, so every scan finds it. */
const QUICK = `
id: quick-review
trigger: { event: quick.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= input.id" }
      summary: "= 'Order ' & $string(input.id) & ' needs approval'"
      levels:
        - { name: ops, approvers: { group: ops }, sla_hours: 0.25 }
`;

/**
 * Multi-process scheduling lives on the PostgreSQL server whatever CROSSDOCK_TEST_STORE
 * says: two Crossdock instances (separate pools, as two worker processes have) on one
 * database, both scheduling the operations pack. No channel is configured, so the pack's
 * digest goes nowhere and its runs must still complete, recording what they found.
 */
describe('operations schedules on two workers (PostgreSQL server, whatever CROSSDOCK_TEST_STORE says)', () => {
  let t: TestStore<Reachable>;
  let a: OpsInstance;
  let b: OpsInstance;
  const clock = new ManualClock('2026-03-02T09:01:00Z');

  /**
   * Either worker may run it, and only that engine reports its progress. A step retried after
   * a transient failure waits for its backoff on this manual clock, so each unanswered look
   * moves the clock 20 s on (within the 15-minute slot: no new slot fires) and wakes both.
   */
  const settled = async (runId: string, statuses?: string[]) => {
    for (let look = 1; ; look++) {
      try {
        return await Promise.any([
          waitForRun(a.crossdock.engine, runId, statuses, 5_000),
          waitForRun(b.crossdock.engine, runId, statuses, 5_000),
        ]);
      } catch (error) {
        if (look === 24)
          throw new Error(
            `run ${runId} did not settle: ${(error as AggregateError).errors?.map((e: Error) => e.message).join('; ')}`,
            { cause: error },
          );
        clock.advance(20_000);
        a.crossdock.engine.wake();
        b.crossdock.engine.wake();
      }
    }
  };

  before(async () => {
    t = await openPostgresTestStore();
    a = await startOps(t, clock, {}, [QUICK]);
    b = await startOps(t, clock, {}, [QUICK]);
    const user = await a.crossdock.services.users.create({
      email: 'olga@acme.test',
      role: 'approver',
    });
    await a.crossdock.services.approvals.directory.setProfile(
      user.id,
      { groups: ['ops'] },
      clock.now(),
    );
    const { runIds } = await a.crossdock.engine.accept({
      source: 'test',
      type: 'quick.review',
      key: 'so-1',
      payload: { id: 1 },
    });
    assert.equal((await settled(runIds[0]!, ['waiting', 'failed'])).status, 'waiting');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await t?.dispose();
  });

  test('the clock jumped across 3 slots of stalled-approvals, both schedulers ticking each time: exactly 3 runs, not 6', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(15 * MINUTE);
      const [fromA, fromB] = await Promise.all([
        a.crossdock.engine.scheduler.tick(),
        b.crossdock.engine.scheduler.tick(),
      ]);
      sent.push(
        ...[...fromA, ...fromB]
          .filter((s) => s.workflowId === 'stalled-approvals')
          .map((s) => s.slot),
      );
    }
    assert.equal(sent.length, 6, 'each scheduler sent each slot (the intake deduplicated them)');
    const runs = (
      await sql<{
        id: string;
        slot: string;
      }>`SELECT id::text AS id, input->>'slot' AS slot FROM runs WHERE workflow_id = 'stalled-approvals' ORDER BY runs.id`.execute(
        t.store.db,
      )
    ).rows;
    assert.deepEqual(
      runs.map((r) => r.slot),
      ['2026-03-02T09:15:00.000Z', '2026-03-02T09:30:00.000Z', '2026-03-02T09:45:00.000Z'],
    );
    const aging = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM runs WHERE workflow_id = 'exception-aging'`.execute(t.store.db);
    assert.equal(Number(aging.rows[0]!.n), 1, 'the hourly scan fired its 09:00 slot once');
    for (const { id } of runs) {
      const run = await settled(id);
      assert.equal(run.status, 'completed');
      assert.equal(
        (run.output as { count: number }).count,
        1,
        'the breached request is in every scan',
      );
      assert.deepEqual(
        stepsOf(run),
        ['scan', 'anything', 'route', 'channel', 'not-sent', 'done'],
        'no channel configured: the digest is skipped, the run completes',
      );
      const route = run.steps.find((s) => s.stepId === 'route')!.output as {
        channel: string;
        reason: string;
      };
      assert.equal(route.channel, 'none');
      assert.match(
        route.reason,
        /no chat webhook "ops" \(CROSSDOCK_CHAT_WEBHOOK_OPS\); no address \(CROSSDOCK_OPS_EMAIL\); no e-mail \(CROSSDOCK_SMTP_HOST\)/,
      );
    }
  });
});
