import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApprovalNotice } from '../../src/approvals/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import type { TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';
import { approvalsApi } from './support.ts';

const WORKFLOW = `
id: credit-release
trigger: { event: credit.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Credit limit exceeded on ' & event.payload.name"
      policy: { tier: manager, rule: 4 }
      levels:
        - { name: credit, approvers: { group: credit-control }, sla_hours: 4 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

describe('approvals over HTTP: inbox, decisions, one-time links', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-05-04T08:00:00Z');
  const notices: ApprovalNotice[] = [];
  let admin: string;
  let approver: string;
  let viewer: string;
  let seq = 0;

  before(async () => {
    ({ h, admin, approver, viewer } = await approvalsApi(WORKFLOW, clock, (api) => ({
      notify: async (n) => void notices.push(n),
      linkBaseUrl: () => api.base,
    })));
  });
  after(() => h.close());

  async function openRequest() {
    const id = ++seq;
    const { runIds } = await h.engine.accept({
      source: 'odoo',
      type: 'credit.review',
      key: `c-${id}`,
      payload: { id, name: `S0${id}` },
    });
    await waitForRun(h.engine, runIds[0]!, ['waiting']);
    const inbox = await h.request('GET', '/api/v1/approvals?mine=true', { token: approver });
    const request = inbox.body.approvals.find((a: { runId: string }) => a.runId === runIds[0]);
    assert.ok(request, "the request is in the approver's inbox");
    return { runId: runIds[0]!, request };
  }

  test('the inbox shows why and by when; a viewer may look but not decide; the approver decides once', async () => {
    const { runId, request } = await openRequest();
    assert.equal(request.summary, `Credit limit exceeded on S0${seq}`);
    assert.deepEqual(request.policy, { tier: 'manager', rule: 4 });
    assert.equal(
      request.level.dueAt,
      new Date(clock.now().getTime() + 4 * 3_600_000).toISOString(),
    );
    assert.equal(
      (await h.request('GET', `/api/v1/approvals/${request.id}`, { token: viewer })).status,
      200,
    );
    const denied = await h.request('POST', `/api/v1/approvals/${request.id}/decision`, {
      token: viewer,
      body: { decision: 'approve' },
    });
    assert.equal(denied.status, 403);
    const decided = await h.request('POST', `/api/v1/approvals/${request.id}/decision`, {
      token: approver,
      body: { decision: 'approve', reason: 'paid last week' },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.status, 'approved');
    const again = await h.request('POST', `/api/v1/approvals/${request.id}/decision`, {
      token: approver,
      body: { decision: 'reject', reason: 'changed my mind' },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'APPROVAL_ALREADY_DECIDED');
    assert.deepEqual((await waitForRun(h.engine, runId)).output, { decision: 'approved' });
  });

  test('a rejection without a reason is a 400 naming the field', async () => {
    const { request } = await openRequest();
    const answer = await h.request('POST', `/api/v1/approvals/${request.id}/decision`, {
      token: approver,
      body: { decision: 'reject' },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.details[0].path, 'reason');
  });

  test('an e-mailed link opens a page that decides nothing, decides once, and is refused when reused', async () => {
    const { runId, request } = await openRequest();
    const links = notices.find((n) => n.request.id === request.id)!.links!;
    const token = new URL(links.approve).pathname.split('/').pop()!;
    const page = await fetch(links.approve);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`Credit limit exceeded on S0${seq}`));
    assert.equal(
      (await h.request('GET', `/api/v1/approvals/${request.id}`, { token: viewer })).body.status,
      'pending',
      'opening the page decided nothing',
    );
    const used = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'approve' },
    });
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    const reused = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'approve' },
    });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.error.code, 'APPROVAL_LINK_USED');
    assert.equal((await fetch(links.approve)).status, 409);
    const audit = await h.request('GET', '/api/v1/audit?action=approval.approve', { token: admin });
    assert.ok(
      audit.body.entries.some(
        (e: { actor: string; target: string }) =>
          e.target === `approval:${request.id}` && e.actor.endsWith('(link)'),
      ),
      'the link decision is audited as the approver',
    );
  });

  test('a link past its deadline is refused as expired; a made-up token as invalid', async () => {
    const { request } = await openRequest();
    const links = notices.find((n) => n.request.id === request.id)!.links!;
    const token = new URL(links.reject).pathname.split('/').pop()!;
    clock.advance(4 * 3_600_000 + 1);
    const expired = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'reject', reason: 'late' },
    });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, 'APPROVAL_LINK_EXPIRED');
    const invalid = await h.request('POST', `/api/v1/approval-links/${'x'.repeat(43)}`, {
      body: { decision: 'approve' },
    });
    assert.equal(invalid.status, 404);
    assert.equal(invalid.body.error.code, 'APPROVAL_LINK_INVALID');
  });

  test('an approver delegates to a colleague for a week, and can end it', async () => {
    const me = await h.request('GET', '/api/v1/auth/me', { token: approver });
    const colleague = await h.services.users.create({
      email: 'colleague@test.example',
      role: 'approver',
    });
    const made = await h.request('POST', '/api/v1/approvals/delegations', {
      token: approver,
      body: {
        delegateId: colleague.id,
        endsAt: new Date(clock.now().getTime() + 7 * 86_400_000).toISOString(),
        reason: 'holiday',
      },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.userId, me.body.userId);
    const forOther = await h.request('POST', '/api/v1/approvals/delegations', {
      token: approver,
      body: { userId: colleague.id, delegateId: made.body.userId, endsAt: made.body.endsAt },
    });
    assert.equal(forOther.status, 403);
    const ended = await h.request('DELETE', `/api/v1/approvals/delegations/${made.body.id}`, {
      token: approver,
    });
    assert.equal(ended.body.revoked, true);
  });
});
