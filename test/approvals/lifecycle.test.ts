import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { harness, HOUR, jump, review, type Harness } from './support.ts';

describe('approval lifecycle on a jumping clock', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());
  const actions = async (id: string) => (await h.approvals.show(id)).actions.map((a) => a.action);
  const noticesFor = (requestId: string) =>
    h.notices.filter((n) => n.request.id === requestId).map((n) => `${n.kind}:${n.to.email}`);

  test('approved within the SLA: the run continues on the approved path', async () => {
    const { runId, requestId } = await review(h, { tier: 'manager' });
    const inbox = await h.approvals.list({ assignedTo: h.people['sam@acme.test']!.userId });
    assert.ok(
      inbox.approvals.some((a) => a.id === requestId),
      "in sam's inbox",
    );
    assert.deepEqual(noticesFor(requestId).sort(), [
      'request:maria@acme.test',
      'request:sam@acme.test',
    ]);
    await h.approvals.decide(
      requestId,
      h.people['sam@acme.test']!,
      'approve',
      'margin is fine',
      'api',
    );
    const run = await waitForRun(h.engine, runId);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.output, { released: true, request: requestId });
    assert.deepEqual(await actions(requestId), ['requested', 'assigned', 'approved']);
    await assert.rejects(
      h.approvals.decide(requestId, h.people['maria@acme.test']!, 'reject', 'too late', 'api'),
      { code: 'APPROVAL_ALREADY_DECIDED' },
    );
  });

  test('no answer: a reminder 1 h before the deadline, then escalation to the managers, whose approval counts', async () => {
    const { runId, requestId } = await review(h, { tier: 'manager' });
    await jump(h, runId, 3 * HOUR + 60_000);
    assert.deepEqual(
      noticesFor(requestId)
        .filter((n) => n.startsWith('reminder'))
        .sort(),
      ['reminder:maria@acme.test', 'reminder:sam@acme.test'],
    );
    await jump(h, runId, HOUR);
    const escalated = await h.approvals.show(requestId);
    assert.equal(escalated.status, 'pending');
    assert.equal(escalated.breached, true);
    assert.deepEqual(
      escalated.level.assignees.map((a) => a.email),
      ['dora@acme.test'],
    );
    assert.deepEqual(
      noticesFor(requestId).filter((n) => n.startsWith('escalated')),
      ['escalated:dora@acme.test'],
    );
    // The original approver answers after the escalation: refused, and the refusal is on record.
    await assert.rejects(
      h.approvals.decide(requestId, h.people['sam@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_ESCALATED' },
    );
    await h.approvals.decide(
      requestId,
      h.people['dora@acme.test']!,
      'approve',
      'ok after escalation',
      'api',
    );
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    assert.deepEqual(await actions(requestId), [
      'requested',
      'assigned',
      'reminded',
      'escalated',
      'assigned',
      'late_decision_refused',
      'approved',
    ]);
  });

  test('breach of the first of two levels escalates to the next level', async () => {
    const { runId, requestId } = await review(h, { tier: 'skip-level' });
    await jump(h, runId, 4 * HOUR);
    const view = await h.approvals.show(requestId);
    assert.equal(view.level.name, 'director');
    assert.equal(view.escalations, 1);
    await h.approvals.decide(requestId, h.people['dora@acme.test']!, 'approve', null, 'api');
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
  });

  test('two levels: finance then director; the same person cannot approve both', async () => {
    const { runId, requestId } = await review(h, { tier: 'finance+director', amount: 80_000 });
    await h.approvals.decide(requestId, h.people['maria@acme.test']!, 'approve', null, 'api');
    const second = await h.approvals.show(requestId);
    assert.equal(second.level.name, 'director');
    assert.equal(second.status, 'pending');
    await assert.rejects(
      h.approvals.decide(requestId, h.people['maria@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_SAME_APPROVER' },
    );
    await h.approvals.decide(requestId, h.people['dora@acme.test']!, 'approve', null, 'api');
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    assert.deepEqual(
      (await actions(requestId)).filter((a) => a !== 'assigned'),
      ['requested', 'approved', 'refused', 'approved'],
    );
  });

  test('a person in two groups is not even asked at the second level after approving the first', async () => {
    const { requestId } = await review(h, { tier: 'finance+director' });
    await h.approvals.decide(requestId, h.people['fiona@acme.test']!, 'approve', null, 'api');
    const assigned = (await h.approvals.show(requestId)).actions.filter(
      (a) => a.action === 'assigned',
    );
    assert.deepEqual(
      assigned.map((a) => a.details.assignees),
      [['maria@acme.test', 'fiona@acme.test'], ['dora@acme.test']],
    );
  });

  test('n-of-m: two of three board members must approve; a third decision is a conflict', async () => {
    const { runId, requestId } = await review(h, { tier: 'board' });
    await h.approvals.decide(requestId, h.people['b1@acme.test']!, 'approve', null, 'api');
    assert.equal((await h.approvals.show(requestId)).status, 'pending');
    await assert.rejects(
      h.approvals.decide(requestId, h.people['b1@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_ALREADY_VOTED' },
    );
    await h.approvals.decide(requestId, h.people['b3@acme.test']!, 'approve', null, 'api');
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    await assert.rejects(
      h.approvals.decide(requestId, h.people['b2@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_ALREADY_DECIDED' },
    );
  });

  test('self-approval is refused: the requester is not asked, and cannot decide', async () => {
    const { requestId } = await review(h, { tier: 'manager', requester: 'MARIA@acme.test' });
    const view = await h.approvals.show(requestId);
    assert.deepEqual(
      view.level.assignees.map((a) => a.email),
      ['sam@acme.test'],
    );
    await assert.rejects(
      h.approvals.decide(requestId, h.people['maria@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_SELF_APPROVAL' },
    );
    const refused = (await h.approvals.show(requestId)).actions.find((a) => a.action === 'refused');
    assert.equal(refused?.details.rule, 'self');
  });

  test('the requester is recognised by their Odoo user too', async () => {
    const { requestId } = await review(h, { tier: 'manager', requester: 'odoo:7' });
    await assert.rejects(
      h.approvals.decide(requestId, h.people['maria@acme.test']!, 'approve', null, 'api'),
      { code: 'APPROVAL_SELF_APPROVAL' },
    );
  });

  test('a listed conflict of interest cannot decide', async () => {
    const { requestId } = await review(h, { tier: 'manager', conflicts: ['sam@acme.test'] });
    await assert.rejects(
      h.approvals.decide(requestId, h.people['sam@acme.test']!, 'reject', 'no', 'api'),
      { code: 'APPROVAL_CONFLICT_OF_INTEREST' },
    );
  });

  test('delegation: while sam is away dan decides for him, recorded as on his behalf; after it ends dan cannot', async () => {
    const sam = h.people['sam@acme.test']!;
    const dan = h.people['dan@acme.test']!;
    const now = h.clock.now();
    const delegation = await h.approvals.directory.delegate(
      {
        userId: sam.userId,
        delegateId: dan.userId,
        startsAt: now,
        endsAt: new Date(now.getTime() + 48 * HOUR),
        reason: 'holiday',
        actor: sam.actor,
      },
      now,
    );
    const { runId, requestId } = await review(h, { tier: 'manager' });
    assert.ok(
      noticesFor(requestId).includes('request:dan@acme.test'),
      'the delegate is told, not sam',
    );
    assert.equal(
      h.notices.find((n) => n.request.id === requestId && n.to.email === 'dan@acme.test')
        ?.onBehalfOf?.email,
      'sam@acme.test',
    );
    assert.ok(
      (await h.approvals.list({ assignedTo: dan.userId })).approvals.some(
        (a) => a.id === requestId,
      ),
    );
    await h.approvals.decide(requestId, dan, 'approve', 'for sam', 'api');
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    const approved = (await h.approvals.show(requestId)).actions.find(
      (a) => a.action === 'approved',
    )!;
    assert.deepEqual([approved.userId, approved.onBehalfOf], [dan.userId, sam.userId]);
    await h.approvals.directory.revokeDelegation(delegation.id, h.clock.now());
    const next = await review(h, { tier: 'manager' });
    await assert.rejects(h.approvals.decide(next.requestId, dan, 'approve', null, 'api'), {
      code: 'APPROVAL_NOT_ASSIGNED',
    });
  });

  test('rejected with a reason: the run takes the on_reject path; a rejection without a reason is refused', async () => {
    const { runId, requestId } = await review(h, { tier: 'manager' });
    await assert.rejects(
      h.approvals.decide(requestId, h.people['sam@acme.test']!, 'reject', '  ', 'api'),
      { code: 'APPROVAL_REASON_REQUIRED' },
    );
    await h.approvals.decide(
      requestId,
      h.people['sam@acme.test']!,
      'reject',
      'customer on credit hold',
      'api',
    );
    const run = await waitForRun(h.engine, runId);
    assert.deepEqual(run.output, { released: false, reason: 'customer on credit hold' });
  });

  test('a level set to reject on breach decides by itself when its SLA passes', async () => {
    const { runId, requestId } = await review(h, { tier: 'reject-late' });
    await jump(h, runId, 4 * HOUR);
    const run = await waitForRun(h.engine, runId);
    assert.match(
      String((run.output as { reason: string }).reason),
      /SLA of 4 h for level "manager" passed/,
    );
    assert.deepEqual((await actions(requestId)).slice(-1), ['auto_rejected']);
  });

  test('escalation to a named group when a named approver does not answer', async () => {
    const { runId, requestId } = await review(h, { tier: 'named' });
    await jump(h, runId, 2 * HOUR);
    assert.deepEqual(
      (await h.approvals.show(requestId)).level.assignees.map((a) => a.email),
      ['dora@acme.test'],
    );
  });

  test('decisions and refusals are in the audit log with their reason', async () => {
    const entries = await h.audit.list({ action: 'approval.reject' });
    assert.ok(
      entries.some((e) => (e.details as { reason?: string }).reason === 'customer on credit hold'),
    );
  });

  test('an unknown chain fails the run with a clear error', async () => {
    const { runIds } = await h.engine.accept({
      source: 'odoo',
      type: 'order.review',
      key: 'so-unknown',
      payload: { id: 1, name: 'S1', amount: 1, tier: 'galactic' },
    });
    const run = await waitForRun(h.engine, runIds[0]!);
    assert.equal(run.status, 'failed');
    assert.equal((run.error as { code: string }).code, 'APPROVAL_CHAIN_UNKNOWN');
  });
});
