import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { base32Decode, totpAt } from '../../src/auth/index.ts';
import { waitForRun } from '../support/engine.ts';
import {
  builtDashboard,
  launchBrowser,
  loadWorkflows,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** A vendor's new bank account waits for treasury, whose decision needs a second factor. */
const BANK = `
id: vendor-bank-change
trigger: { event: vendor.bank_changed }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: res.partner.bank, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'New bank account for ' & event.payload.vendor"
      levels:
        - { name: treasury, approvers: { group: credit-control }, sla_hours: 8, step_up: true }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

/**
 * The decision form of a step-up level in Debian's Chromium: it asks for the authenticator's
 * code, shows a refusal (and the refusal in the history), and decides with a valid code.
 * The instance runs on the system clock, so codes are computed at the real time.
 */
describe('approvals: a step-up level asks for the authenticator code', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let secret: Buffer;
  let runId: string;
  let requestId: string;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    await loadWorkflows(x, [BANK]);
    browser = await launchBrowser();
    runId = await x.send('vendor.bank_changed', 'bank-1', {
      id: 41,
      name: 'NL91 ABNA 0417 1643 00',
      vendor: 'Nordic Paper AB',
    });
    const { approvals } = await x.services.approvals.list({ status: 'pending' });
    requestId = approvals.find((a) => a.runId === runId)!.id;
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('the approver enrols from the decision form, is refused a wrong code, and approves with the right one', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.approver);
    await page.goto(`/app/approvals/${requestId}`);
    const form = page.getByRole('form', { name: 'Decision' });
    const code = form.getByLabel('Code from your authenticator app (this level needs it)');
    await code.waitFor();
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');

    // No authenticator yet: the form links to the enrolment page, which shows the key once.
    await form.getByRole('link', { name: 'Enrol one' }).click();
    await page.getByRole('button', { name: 'Enrol an authenticator' }).click();
    secret = base32Decode(await page.locator('[data-totp-secret]').innerText());
    assert.match(
      await page.getByRole('link', { name: /^otpauth:\/\/totp\/Crossdock:/ }).innerText(),
      /secret=[A-Z2-7]{32}&issuer=Crossdock/,
    );
    const confirm = page.getByRole('form', { name: 'Confirm' });
    // The previous step's code (inside the window): the current one stays unspent for the decision.
    await confirm
      .getByLabel('The code your app shows now')
      .fill(totpAt(secret, new Date(Date.now() - 30_000)));
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('[data-totp-status="enrolled"]').waitFor();
    assert.equal(await page.locator('[data-totp-secret]').count(), 0, 'the key is not shown again');
    // The recovery codes are shown this once, then only their count.
    const shown = page.locator('[data-recovery-codes] li');
    assert.equal(await shown.count(), 10);
    for (const c of await shown.allInnerTexts())
      assert.match(c, /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    await page.getByRole('button', { name: 'I have kept them' }).click();
    assert.equal(await page.locator('[data-recovery-codes]').count(), 0);
    await page.getByText('Recovery codes left: 10 of 10.').waitFor();
    await page.reload();
    await page.locator('[data-totp-status="enrolled"]').waitFor();
    assert.equal(await page.locator('[data-recovery-codes]').count(), 0, 'not shown again');
    await page.getByText('Recovery codes left: 10 of 10.').waitFor();
    await page.goto(`/app/approvals/${requestId}`);
    await code.waitFor();

    await form.getByRole('button', { name: 'Approve' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'This level needs the six-digit code' })
      .waitFor();

    const right = totpAt(secret, new Date());
    await code.fill(right === '000000' ? '000001' : '000000');
    await form.getByRole('button', { name: 'Approve' }).click();
    await form.getByRole('alert').filter({ hasText: 'APPROVAL_STEP_UP_INVALID' }).waitFor();
    await page
      .getByRole('list', { name: 'Request history' })
      .getByText('step_up_refused')
      .waitFor();
    assert.equal(await code.inputValue(), '', 'the refused code is cleared');

    await code.fill(totpAt(secret, new Date()));
    await form.getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-approval-detail] .facts').getByText('approved').waitFor();
    assert.deepEqual((await waitForRun(x.engine, runId)).output, { decision: 'approved' });
    const approved = (await x.services.approvals.show(requestId)).actions.find(
      (a) => a.action === 'approved',
    )!;
    assert.equal(approved.details.stepUp, 'totp');
    await context.close();
  });
});
