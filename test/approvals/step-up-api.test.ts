/**
 * Step-up approvals over every door: enrolment over HTTP, a decision through the API, the
 * e-mailed link page and the command line (spawned once), and an administrator's reset.
 * Codes are computed from the secret the enrolment returned, at the test clock's time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApprovalNotice } from '../../src/approvals/index.ts';
import { base32Decode, totpAt } from '../../src/auth/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import type { TestApi } from '../api/support.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';
import { approvalsApi, STEP_UP_WORKFLOW } from './support.ts';

const STEP_MS = 30_000;

describe('step-up approvals over HTTP, e-mailed links and the command line', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-05-04T08:00:00Z');
  const notices: ApprovalNotice[] = [];
  let admin: string;
  let approver: string;
  let approverId: string;
  let secret: string;
  let seq = 0;
  const code = () => totpAt(base32Decode(secret), clock.now());
  const nextCode = () => {
    clock.advance(STEP_MS);
    return code();
  };

  before(async () => {
    ({ h, admin, approver } = await approvalsApi(STEP_UP_WORKFLOW, clock, (api) => ({
      notify: async (n) => void notices.push(n),
      linkBaseUrl: () => api.base,
      secondFactor: api.services.totp,
    })));
    approverId = (await h.request('GET', '/api/v1/auth/me', { token: approver })).body.userId;
  });
  after(() => h.close());

  async function openRequest() {
    const id = ++seq;
    const { runIds } = await h.engine.accept({
      source: 'odoo',
      type: 'vendor.bank_changed',
      key: `bank-${id}`,
      payload: { id, name: `Vendor ${id}` },
    });
    await waitForRun(h.engine, runIds[0]!, ['waiting']);
    const inbox = await h.request('GET', '/api/v1/approvals?mine=true', { token: approver });
    const request = inbox.body.approvals.find((a: { runId: string }) => a.runId === runIds[0]);
    assert.ok(request, "the request is in the approver's inbox");
    return { runId: runIds[0]!, request };
  }
  const decide = (id: string, body: Record<string, unknown>) =>
    h.request('POST', `/api/v1/approvals/${id}/decision`, { token: approver, body });

  test('enrolment: the secret once, confirmed by a code, every step audited without it', async () => {
    const none = await h.request('GET', '/api/v1/auth/totp', { token: approver });
    assert.deepEqual(none.body, {
      enrolled: false,
      pending: false,
      confirmedAt: null,
      lockedUntil: null,
      recoveryCodesRemaining: 0,
    });
    const started = await h.request('POST', '/api/v1/auth/totp', { token: approver });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.headers.get('cache-control'), 'no-store');
    secret = started.body.secret;
    assert.match(started.body.otpauthUri, /^otpauth:\/\/totp\/Crossdock:/);
    const badShape = await h.request('POST', '/api/v1/auth/totp/confirm', {
      token: approver,
      body: { code: '12345' },
    });
    assert.equal(badShape.status, 400);
    assert.equal(badShape.body.error.details[0].path, 'body.code');
    const early = totpAt(base32Decode(secret), new Date(clock.now().getTime() - 10 * STEP_MS));
    const wrong = await h.request('POST', '/api/v1/auth/totp/confirm', {
      token: approver,
      body: { code: early },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'TOTP_CODE_INVALID');
    const confirmed = await h.request('POST', '/api/v1/auth/totp/confirm', {
      token: approver,
      body: { code: code() },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.enrolled, true);
    const again = await h.request('POST', '/api/v1/auth/totp', { token: approver });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'TOTP_ALREADY_ENROLLED');
    const status = await h.request('GET', '/api/v1/auth/totp', { token: approver });
    assert.ok(!JSON.stringify(status.body).includes(secret), 'the secret is never shown again');
    const audit = await h.request('GET', '/api/v1/audit?action=totp&order=asc', { token: admin });
    assert.deepEqual(
      audit.body.entries.map((e: { action: string }) => e.action),
      ['totp.enrol', 'totp.refused', 'totp.confirm'],
    );
    assert.ok(!JSON.stringify(audit.body).includes(secret), 'no audit entry holds the secret');
  });

  test('the API refuses a decision without a code or with a wrong one, and accepts a valid one', async () => {
    const { runId, request } = await openRequest();
    assert.equal(request.level.stepUp, true);
    const missing = await decide(request.id, { decision: 'approve' });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.code, 'APPROVAL_STEP_UP_REQUIRED');
    const current = code();
    const wrong = await decide(request.id, {
      decision: 'approve',
      code: current === '000000' ? '000001' : '000000',
    });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.error.code, 'APPROVAL_STEP_UP_INVALID');
    const ok = await decide(request.id, { decision: 'approve', code: nextCode() });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'approved');
    assert.deepEqual((await waitForRun(h.engine, runId)).output, { decision: 'approved' });
    const shown = await h.request('GET', `/api/v1/approvals/${request.id}`, { token: admin });
    assert.deepEqual(
      shown.body.actions
        .filter((a: { action: string }) => a.action === 'step_up_refused')
        .map((a: { details: { code: string } }) => a.details.code),
      ['APPROVAL_STEP_UP_REQUIRED', 'APPROVAL_STEP_UP_INVALID'],
      "the refusals are in the request's history",
    );
  });

  test('the link page asks for the code; a refused code leaves the link usable; a valid one decides once', async () => {
    const { runId, request } = await openRequest();
    const links = notices.find((n) => n.request.id === request.id)!.links!;
    const token = new URL(links.approve).pathname.split('/').pop()!;
    const page = await (await fetch(links.approve)).text();
    assert.match(page, /<input id="code"[^>]*autocomplete="one-time-code"/);
    assert.match(page, /Code from your authenticator app/);
    const missing = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'approve' },
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.code, 'APPROVAL_STEP_UP_REQUIRED');
    assert.equal((await fetch(links.approve)).status, 200, 'the link was not spent');
    const ok = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'approve', code: nextCode() },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    const reused = await h.request('POST', `/api/v1/approval-links/${token}`, {
      body: { decision: 'approve', code: nextCode() },
    });
    assert.equal(reused.body.error.code, 'APPROVAL_LINK_USED');
  });

  test('the command line sends --code', async () => {
    const { runId, request } = await openRequest();
    const decided = await runCrossdock(
      ['approvals', 'approve', request.id, '--code', nextCode(), '--api', h.base, '--json'],
      { CROSSDOCK_TOKEN: approver },
    );
    assert.equal(decided.status, 0, decided.stderr);
    assert.equal(JSON.parse(decided.stdout).status, 'approved');
    assert.deepEqual((await waitForRun(h.engine, runId)).output, { decision: 'approved' });
  });

  test('an administrator resets a lost authenticator, with a reason, audited; the approver must enrol again', async () => {
    const { request } = await openRequest();
    const path = `/api/v1/users/${approverId}/totp/reset`;
    const self = await h.request('POST', path, { token: approver, body: { reason: 'lost' } });
    assert.equal(self.status, 403);
    const reset = await h.request('POST', path, {
      token: admin,
      body: { reason: 'phone lost, identity checked by call-back' },
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    const audit = await h.request('GET', '/api/v1/audit?action=totp.reset', { token: admin });
    assert.equal(audit.body.entries[0].target, `user:${approverId}`);
    assert.equal(audit.body.entries[0].details.reason, 'phone lost, identity checked by call-back');
    const refused = await decide(request.id, { decision: 'approve', code: nextCode() });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'APPROVAL_STEP_UP_NOT_ENROLLED');
    const twice = await h.request('POST', path, { token: admin, body: { reason: 'again' } });
    assert.equal(twice.status, 404);
    assert.equal(twice.body.error.code, 'TOTP_NOT_ENROLLED');
  });
});
