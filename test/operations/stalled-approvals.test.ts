import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../src/engine/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { SmtpSink, type ReceivedMail } from '../notify/support.ts';
import { fireSlot, HOUR, MINUTE, startOps, stepsOf, type OpsInstance } from './support.ts';

const REVIEW = `
id: review
trigger: { event: order.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= input.id", name: "= input.name" }
      summary: "= 'Order ' & input.name & ' needs approval'"
      chain: "= input.tier"
      chains:
        manager:
          - { name: manager, approvers: { group: sales-manager }, sla_hours: 4 }
        finance:
          - { name: finance, approvers: { group: finance }, sla_hours: 8 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

/**
 * packs/operations/workflows/stalled-approvals.yaml through createCrossdock, on the test
 * store: a request past its SLA is in the scan, and one digest per run reaches the ops
 * address at a local SMTP server.
 */
describe('stalled-approvals pack: the scan and its e-mail digest', () => {
  let t: TestStore<Reachable>;
  let smtp: SmtpSink;
  let ops: OpsInstance;
  const clock = new ManualClock('2026-06-01T08:00:00Z');
  const requests: Record<string, string> = {};

  const digests = (): ReceivedMail[] =>
    smtp.mails.filter((m) => m.envelopeTo.includes('ops@acme.test'));
  async function nextDigest(seen: number): Promise<ReceivedMail> {
    for (let i = 0; digests().length <= seen; i++) {
      if (i > 20) throw new Error(`no digest e-mail after ${smtp.mails.length} messages`);
      await smtp.waitFor(smtp.mails.length + 1); // event-driven: resolves on the next message
    }
    return digests()[seen]!;
  }

  before(async () => {
    smtp = await new SmtpSink().listen();
    t = await openTestStore({ onDisk: true });
    if (t.connection.kind === 'pglite') await t.store.close(); // one process, one PGlite: the instance opens it
    ops = await startOps(
      t,
      clock,
      {
        CROSSDOCK_SMTP_HOST: '127.0.0.1',
        CROSSDOCK_SMTP_PORT: String(smtp.port),
        CROSSDOCK_MAIL_FROM: 'Crossdock <crossdock@acme.test>',
        CROSSDOCK_OPS_EMAIL: 'ops@acme.test',
      },
      [REVIEW],
    );
    const { services, engine } = ops.crossdock;
    for (const [email, group] of [
      ['sam@acme.test', 'sales-manager'],
      ['fiona@acme.test', 'finance'],
    ] as const) {
      const user = await services.users.create({ email, role: 'approver' });
      await services.approvals.directory.setProfile(user.id, { groups: [group] }, clock.now());
    }
    for (const [id, tier] of [
      [1, 'manager'],
      [2, 'finance'],
    ] as const) {
      const { runIds } = await engine.accept({
        source: 'test',
        type: 'order.review',
        key: `so-${id}`,
        payload: { id, name: `S0000${id}`, tier },
      });
      const run = await waitForRun(engine, runIds[0]!, ['waiting', 'failed']);
      assert.equal(run.status, 'waiting');
      requests[tier] = (await services.approvals.list({ status: 'pending' })).approvals.find(
        (a) => a.runId === runIds[0],
      )!.id;
    }
  });
  after(async () => {
    await ops?.close();
    await smtp?.close();
    await t?.dispose().catch(() => undefined);
  });

  test('at 12:15 the manager request (due 12:00) is in the scan, the finance one (due 16:00) is not, and one digest goes to ops@acme.test', async () => {
    clock.advance(4 * HOUR + 15 * MINUTE);
    const run = await fireSlot(ops, 'stalled-approvals', '2026-06-01T12:15:00.000Z');
    const found = run.output as {
      count: number;
      breached: number;
      requests: {
        id: string;
        summary: string;
        level: string;
        dueAt: string;
        breached: boolean;
        ageHours: number;
      }[];
    };
    assert.equal(found.count, 1);
    assert.deepEqual(
      found.requests.map((r) => [r.id, r.summary, r.breached, r.ageHours]),
      [[requests.manager, 'Order S00001 needs approval', true, 4.3]],
    );
    assert.deepEqual(stepsOf(run), [
      'scan',
      'anything',
      'route',
      'channel',
      'digest-email',
      'done',
    ]);
    const mail = await nextDigest(0);
    assert.match(mail.subject, /^Crossdock: 1 approval request\(s\) stalled \(1 past SLA\)$/);
    assert.match(
      mail.text,
      new RegExp(`#${requests.manager} Order S00001 needs approval - level manager`),
    );
    assert.match(mail.text, /SLA BREACHED, open 4\.3 h/);
    assert.doesNotMatch(mail.text, /S00002/);
    const queued = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM notifications WHERE dedupe_key LIKE ${`${run.id}:%`}`.execute(
      ops.crossdock.store.db,
    );
    assert.equal(Number(queued.rows[0]!.n), 1, 'one digest per run');
  });

  test('at 15:15 the finance request is due within the hour and joins the next digest; firing the same slot again sends nothing', async () => {
    clock.advance(3 * HOUR);
    const run = await fireSlot(ops, 'stalled-approvals', '2026-06-01T15:15:00.000Z');
    const found = run.output as { count: number; requests: { id: string; breached: boolean }[] };
    assert.deepEqual(
      found.requests.map((r) => r.id).sort(),
      [requests.manager, requests.finance].sort(),
    );
    assert.equal(found.requests.find((r) => r.id === requests.finance)!.breached, false);
    const mail = await nextDigest(1);
    assert.match(mail.subject, /2 approval request\(s\) stalled \(1 past SLA\)/);
    assert.deepEqual(await ops.crossdock.engine.scheduler.tick(), [], 'the slot fired already');
    const runs = await sql<{
      n: string;
    }>`SELECT count(*) AS n FROM runs WHERE workflow_id = 'stalled-approvals'`.execute(
      ops.crossdock.store.db,
    );
    assert.equal(Number(runs.rows[0]!.n), 2);
  });
});
