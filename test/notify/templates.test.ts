import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApprovalNotice } from '../../src/approvals/index.ts';
import { approvalNoticeData, TemplateRenderer } from '../../src/notify/index.ts';

const notice = (over: Partial<ApprovalNotice> = {}): ApprovalNotice => ({
  key: 'approval:1:level:0:request:0:user:2',
  kind: 'request',
  to: { userId: '2', email: 'bo@acme.test', name: null, via: 'group finance' },
  onBehalfOf: null,
  links: null,
  request: {
    id: '1',
    runId: '9',
    workflowId: 'release',
    subject: { model: 'purchase.order', id: 12 },
    summary: 'PO 12 from a non-preferred supplier',
    policy: null,
    requester: null,
    status: 'pending',
    level: {
      index: 1,
      name: 'finance',
      required: 1,
      slaHours: 8,
      stepUp: false,
      startedAt: '2026-06-01T08:00:00.000Z',
      dueAt: null,
      remindedAt: null,
      assignees: [],
    },
    levels: ['buyer', 'finance'],
    escalations: 1,
    breached: true,
    createdAt: '2026-06-01T08:00:00.000Z',
    decidedAt: null,
    decisionReason: null,
    nextTimerAt: null,
    bulkGroup: null,
    warnings: [],
  },
  ...over,
});

// Approval e-mails are rendered inside the approval's transaction: every shipped template must
// render for every shape of notice (no links, no deadline, no name, a delegate), or approvals break.
test('the approval templates render every shape of notice', async () => {
  const templates = new TemplateRenderer();
  for (const kind of ['request', 'reminder', 'escalated'] as const) {
    for (const n of [
      notice({ kind }),
      notice({
        kind,
        onBehalfOf: { userId: '3', email: 'fiona@acme.test', name: 'Fiona', via: 'group finance' },
        links: {
          approve: 'http://x/approve/t?decision=approve',
          reject: 'http://x/approve/t?decision=reject',
        },
      }),
    ]) {
      const out = await templates.render(`approval-${kind}`, approvalNoticeData(n));
      assert.match(out.subject, /purchase\.order 12/);
      assert.match(out.text, /^Hello bo@acme\.test,/);
      assert.match(out.text, /Level: finance \(2 of 2\)/);
      assert.match(out.text, /Decide by: no deadline/);
      assert.match(
        out.text,
        n.links
          ? /Approve: http:\/\/x\/approve\/t\?decision=approve/
          : /Decide in the Crossdock approvals inbox/,
      );
      if (n.onBehalfOf) assert.match(out.text, /\(standing in for Fiona\)/);
      assert.ok(
        out.html?.includes(
          n.links ? 'href="http://x/approve/t?decision=reject"' : 'approvals inbox',
        ),
      );
    }
  }
  const escalated = await templates.render(
    'approval-escalated',
    approvalNoticeData(notice({ kind: 'escalated' })),
  );
  assert.match(escalated.text, /escalated to you: it was not decided in time \(escalation 1\)/);
  assert.doesNotMatch(escalated.text, /authenticator/);
  const base = notice({ kind: 'request' });
  const stepUp = await templates.render(
    'approval-request',
    approvalNoticeData({
      ...base,
      request: { ...base.request, level: { ...base.request.level, stepUp: true } },
    }),
  );
  assert.match(stepUp.text, /This level needs the six-digit code from your authenticator app/);
  assert.ok(stepUp.html?.includes('code from your authenticator app'));
});

test('a line break in data cannot add a header to the subject', async () => {
  const out = await new TemplateRenderer().render('generic', {
    subject: 'Hi\r\nBcc: evil@x.test',
    body: 'x',
  });
  assert.equal(out.subject, 'Hi Bcc: evil@x.test');
});
