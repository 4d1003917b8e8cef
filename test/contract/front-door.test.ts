/**
 * What the shortened paths of intake, checkpoints and the worker loop must still keep: every
 * event stored once with its runs and its intake audit entry, a retried dead letter closed
 * with its audit entry when its run completes, and a parked run picked up when it is due,
 * not at the next poll.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditIntake, AuditLog } from '../../src/audit/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { auditCaseEvents, ExceptionsService } from '../../src/exceptions/index.ts';
import { startCountingServer, type CountingServer } from '../support/counting-server.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const shipped = (url: string) => `
id: shipped
trigger: { event: order.shipped }
steps:
  - id: prepare
    type: transform
    with: { order: "= input.order" }
  - id: call
    type: http.request
    with:
      method: POST
      url: "= '${url}/orders/' & input.order"
      body: { order: "= input.order" }
    retry: { max_attempts: 2, initial_delay_ms: 300, max_delay_ms: 300, jitter: 0 }
  - id: done
    type: transform
    with: { remote: "= steps.call.output.body.id" }
`;
const counted = `
id: counted
trigger: { event: order.shipped }
steps:
  - id: count
    type: transform
    with: { order: "= input.order" }
`;

describe('the front door: intake, checkpoints and wake-ups keep their guarantees', () => {
  let t: TestStore;
  let engine: Engine;
  let server: CountingServer;
  let audit: AuditLog;
  const now = () => new Date();
  before(async () => {
    t = await openTestStore();
    server = await startCountingServer();
    engine = await engineWith(t.store, [shipped(server.url), counted], {
      caseEvents: auditCaseEvents(now),
      intakeAudit: (senderOf) => auditIntake(now, senderOf),
      // Only a due time the worker knows of can pick a parked run up within this test.
      worker: { pollIntervalMs: 60_000, leaseMs: 30_000 },
    });
    audit = new AuditLog(t.store.db, now);
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await server.close();
    await t.dispose();
  });

  test('events sent at once, some twice: each stored once with both its runs, every one in an intake audit entry with its runs, and the chain verifies', async () => {
    const send = (n: number) =>
      engine.accept(
        { source: 'shop', type: 'order.shipped', key: `once-${n}`, payload: { order: `O${n}` } },
        'api',
        { actor: 'token:1 test', requestId: `req-${n}` },
      );
    const first = await Promise.all(Array.from({ length: 40 }, (_, n) => send(n)));
    const again = await Promise.all([send(3), send(3), send(17)]);
    assert.ok(first.every((a) => !a.duplicate && a.runIds.length === 2));
    assert.equal(new Set(first.flatMap((a) => a.runIds)).size, 80);
    assert.deepEqual(
      again.map((a) => [a.eventId, a.duplicate, a.runIds.length]),
      [
        [first[3]!.eventId, true, 0],
        [first[3]!.eventId, true, 0],
        [first[17]!.eventId, true, 0],
      ],
    );
    const stored = await t.store.db
      .selectFrom('events')
      .select(['id', 'dedupe_key', 'runs_started'])
      .where('dedupe_key', 'like', 'once-%')
      .execute();
    assert.equal(stored.length, 40);
    assert.ok(stored.every((e) => e.runs_started === 2));
    const runs = await t.store.db
      .selectFrom('runs')
      .select(['id', 'event_id', 'input'])
      .where(
        'event_id',
        'in',
        first.map((a) => a.eventId),
      )
      .execute();
    assert.equal(runs.length, 80);
    for (const run of runs) {
      const n = first.findIndex((a) => a.eventId === String(run.event_id));
      assert.deepEqual(run.input, { order: `O${n}` }, 'a run starts with its event payload');
    }

    const covered = (await audit.list({ action: 'event.intake' })).flatMap(
      (e) =>
        (
          e.details as {
            events: { id: string; outcome: string; runs: string[]; requestId: string }[];
          }
        ).events,
    );
    for (const [n, a] of first.entries()) {
      const entries = covered.filter((c) => c.id === a.eventId);
      const stored = entries.filter((c) => c.outcome === 'stored');
      assert.deepEqual(
        stored.map((c) => [[...c.runs].sort(), c.requestId]),
        [[[...a.runIds].sort(), `req-${n}`]],
        `event ${n} is in one intake entry as stored, with its runs and its request`,
      );
      const duplicates = entries.length - stored.length;
      assert.ok(
        n === 3 || n === 17 ? duplicates >= 1 : duplicates === 0,
        `event ${n}: ${duplicates} duplicates`,
      );
    }
    assert.equal((await audit.verify()).ok, true);
    for (const a of first) for (const id of a.runIds) await waitForRun(engine, id);
  });

  test('a dead letter retried from the queue: when its run completes, the case is resolved and audited in that checkpoint', async () => {
    server.failNext(1, 422);
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.shipped',
      key: 'retried-1',
      payload: { order: 'R1' },
    });
    const failedRun = (await Promise.all(runIds.map((id) => waitForRun(engine, id)))).find(
      (r) => r.workflowId === 'shipped',
    )!;
    assert.equal(failedRun.status, 'failed');
    const exceptions = new ExceptionsService({
      db: t.store.db,
      now,
      audit,
      runs: () => engine.runs,
    });
    const [open] = await t.store.db
      .selectFrom('exception_cases')
      .select(['id', 'status'])
      .where('run_id', '=', failedRun.id)
      .execute();
    assert.equal(open?.status, 'open');
    await exceptions.retry(String(open.id), { actor: 'user:1 ops@test.example' });
    const done = await waitForRun(engine, failedRun.id);
    assert.equal(done.status, 'completed');
    const [closed] = await t.store.db
      .selectFrom('exception_cases')
      .select(['status', 'reason_code'])
      .where('id', '=', open.id)
      .execute();
    assert.deepEqual(closed, { status: 'resolved', reason_code: 'fixed_by_retry' });
    const resolved = await audit.list({ action: 'exception.resolve' });
    assert.deepEqual(
      resolved.map((e) => [e.actor, e.target]),
      [['engine', `exception:${open.id}`]],
    );
    assert.equal((await audit.verify()).ok, true);
  });

  test('a step retried after 300 ms runs again then, not at the next poll a minute later', async () => {
    server.failNext(1, 503);
    const startedAt = Date.now();
    const { runIds } = await engine.accept({
      source: 'shop',
      type: 'order.shipped',
      key: 'parked-1',
      payload: { order: 'P1' },
    });
    const runs = await Promise.all(runIds.map((id) => waitForRun(engine, id)));
    const retried = runs.find((r) => r.workflowId === 'shipped')!;
    assert.equal(retried.status, 'completed');
    assert.deepEqual(
      retried.steps.filter((s) => s.stepId === 'call').map((s) => s.status),
      ['failed', 'completed'],
    );
    assert.ok(Date.now() - startedAt < 10_000, 'well before the poll or a lease expiry');
  });
});
