import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { UndeliveredNotices } from '../../src/exceptions/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import {
  answeredTable,
  builtDashboard,
  launchBrowser,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/**
 * The operations dashboard in Debian's Chromium against a real Crossdock (embedded store,
 * built dashboard served under /app/): what an approver, an operator, a viewer and an
 * auditor see and can do. (demo-screens.test.ts photographs the screens on the demo data.)
 */
describe('operations dashboard in the browser', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let approvalRun: string;
  let failedRun: string;
  let waitingRun: string;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    approvalRun = await x.send('credit.review', 'so-1', {
      id: 101,
      name: 'S00101',
      amount: 48_500,
      requester: 'sales@acme.test',
    });
    await x.send('credit.review', 'so-2', {
      id: 102,
      name: 'S00102',
      amount: 12_000,
      requester: 'sales@acme.test',
    });
    for (const [i, weightKg] of [4, 55, 12].entries())
      await x.send('shipment.ready', `ship-ok-${i}`, { ref: `WH/OUT/0000${i + 1}`, weightKg });
    failedRun = await x.send('shipment.ready', 'ship-bad', { ref: 'WH/OUT/00042' });
    waitingRun = await x.send('credit.review', 'so-3', { id: 103, name: 'S00103', amount: 9_000 });
    assert.equal(
      (await x.engine.runs.show(failedRun)).status,
      'failed',
      'the shipment without a weight fails',
    );
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('the server serves the app under /app/ (any client route) and never shadows the API', async () => {
    const page = await fetch(`${x.base}/app/runs/1`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    assert.equal(
      (await fetch(`${x.base}/`, { redirect: 'manual' })).headers.get('location'),
      '/app/',
    );
    assert.equal((await fetch(`${x.base}/app/assets/nosuch.js`)).status, 404);
    const api = await fetch(`${x.base}/api/v1/nosuch`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND');
    assert.equal((await fetch(`${x.base}/healthz`)).status, 200);
  });

  test('an approver approves from the inbox and sees the run complete', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.approver);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const inbox = page.getByRole('table', { name: 'Pending approval requests' });
    await inbox.getByRole('link', { name: 'Credit limit exceeded on S00101' }).click();
    const detail = page.locator('[data-approval-detail]');
    await detail.getByText('Why (the policy decision)').waitFor();
    assert.match(
      await detail.getByLabel('Policy decision').innerText(),
      /"policy": "credit-limit"/,
    );
    assert.match(await inbox.locator('.countdown').first().innerText(), /left$/);
    await page.getByLabel('Reason (required to reject)').fill('Customer paid last week');
    await page.getByRole('button', { name: 'Approve' }).click();
    await detail.locator('.badge-approved').first().waitFor();
    assert.match(
      await page.getByRole('list', { name: 'Request history' }).innerText(),
      /approved.*Customer paid last week/s,
    );
    await detail.getByRole('link', { name: `run ${approvalRun} (credit-release)` }).click();
    await page.locator('[data-run-status="completed"]').waitFor();
    assert.equal(
      await page.locator('[data-step="approve"]').getAttribute('data-status'),
      'completed',
    );
    assert.equal(
      await page.locator('[data-step="release"]').getAttribute('data-status'),
      'completed',
    );
    assert.equal(await page.locator('[data-step="hold"]').getAttribute('data-status'), 'not-run');
    assert.deepEqual((await x.engine.runs.show(approvalRun)).output, {
      released: true,
      decision: 'approved',
    });
    await context.close();
  });

  test('an operator replays the failed run from its exception case with a corrected input; the run completes and the case closes', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page.locator('[data-kpi="error-rate"]').waitFor();
    assert.equal(await page.locator('[data-kpi="approvals-waiting"]').innerText(), '2');
    assert.equal(await page.locator('[data-kpi="exceptions-open"]').innerText(), '1');

    await page.getByRole('link', { name: 'Exceptions' }).click();
    const row = page.locator('[data-case]').filter({ hasText: `run ${failedRun}` });
    await row.waitFor();
    assert.match(
      await page.getByRole('list', { name: 'Root-cause groups' }).innerText(),
      /ship-order \/ route \/ SWITCH_NO_MATCH/,
    );
    await row.getByRole('link').click();
    const detail = page.locator('[data-case-detail]');
    await detail.getByText('Failed step: route').waitFor();
    await detail.getByText('Replay with a corrected input').click();
    const editor = detail.getByLabel('Corrected input');
    await editor.fill('{ "ref": "WH/OUT/00042", "weightKg": 7, }');
    // A parse error shows next to the field and the replay cannot be sent.
    await detail.getByText(/Not valid JSON/).waitFor();
    assert.equal(
      await detail.getByRole('button', { name: 'Replay', exact: true }).isDisabled(),
      true,
    );
    await editor.fill('{ "ref": "WH/OUT/00042", "weightKg": 7 }');
    await detail.getByRole('button', { name: 'Replay', exact: true }).click();
    // The case closes when the replayed run completes.
    await page.locator('[data-case-detail][data-case-status="resolved"]').waitFor();
    assert.match(await page.getByRole('list', { name: 'Case history' }).innerText(), /replay/i);

    await detail.getByRole('link', { name: `run ${failedRun}` }).click();
    await page.locator('[data-run-status="completed"]').waitFor();
    assert.equal(
      await page.locator('[data-step="parcel"]').getAttribute('data-status'),
      'completed',
    );
    assert.equal(
      await page.locator('[data-step="freight"]').getAttribute('data-status'),
      'not-run',
    );
    assert.equal(
      await page.locator('[data-edge="route>parcel"]').getAttribute('class'),
      'edge edge-branch edge-taken',
    );
    assert.match(await page.getByLabel('Run input').innerText(), /"weightKg": 7/);

    // A waiting run: cancel it from its page, then replay it from there (back to its approval).
    await page.goto(`/app/runs/${waitingRun}`);
    await page.locator('[data-run-status="waiting"]').waitFor();
    const cancel = page.getByRole('form', { name: 'Cancel run' });
    await cancel.getByLabel('Reason').fill('customer asked to hold');
    await cancel.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('[data-run-status="cancelled"]').waitFor();
    const replay = page.getByRole('form', { name: 'Replay' });
    await replay.getByLabel('Reason').fill('customer confirmed');
    await replay.getByRole('button', { name: 'Replay run' }).click();
    await page.locator('[data-run-status="waiting"]').waitFor();

    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: 'ship-order' }).click();
    await page.getByLabel('Event').fill(
      JSON.stringify(
        {
          source: 'dashboard',
          type: 'shipment.ready',
          key: 'dry-1',
          payload: { ref: 'WH/OUT/9', weightKg: 40 },
        },
        null,
        2,
      ),
    );
    await page.getByRole('button', { name: 'Dry-run' }).click();
    await page.locator('[data-outcome="completed"]').waitFor();
    assert.match(await page.locator('[data-outcome]').innerText(), /freight/);
    assert.equal(
      await page.locator('[data-step="freight"]').getAttribute('data-status'),
      'completed',
      "the graph shows the dry run's path",
    );
    assert.equal(await page.locator('[data-step="parcel"]').getAttribute('data-status'), 'not-run');
    await context.close();
  });

  test('a viewer is offered no actions, and the API refuses them when asked directly', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    assert.deepEqual(
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allInnerTexts(),
      [
        'Overview',
        'Approvals',
        'Exceptions',
        'AI recommendations',
        'Runs',
        'Workflows',
        'Policies',
        'Notifications',
      ],
    );
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page
      .getByRole('table', { name: 'Pending approval requests' })
      .getByRole('link', { name: 'Credit limit exceeded on S00102' })
      .click();
    await page.locator('[data-approval-detail]').getByText('Why (the policy decision)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Waiting for me' }).count(), 0);

    await page.goto(`/app/runs/${waitingRun}`);
    await page.locator('[data-run-status="waiting"]').waitFor();
    await page.locator('[data-no-actions]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Replay run' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);

    const refused = await page.evaluate(async (runId) => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken };
      const replay = await fetch(`/api/v1/runs/${runId}/replay`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      const decide = await fetch('/api/v1/approvals/1/decision', {
        method: 'POST',
        headers,
        body: JSON.stringify({ decision: 'approve' }),
      });
      return {
        replay: replay.status,
        code: ((await replay.json()) as { error: { code: string } }).error.code,
        decide: decide.status,
      };
    }, waitingRun);
    assert.deepEqual(refused, { replay: 403, code: 'FORBIDDEN', decide: 403 });
    assert.equal((await x.engine.runs.show(waitingRun)).status, 'waiting');
    await context.close();
  });

  test('an operator sends an undelivered e-mail again from its case: no run to retry, the message goes back to the outbox', async () => {
    const inserted = await sql<{
      id: string;
    }>`INSERT INTO notifications (dedupe_key, channel, recipients, subject, body_text, status, attempts, next_attempt_at, last_error_code, last_error, message_id, created_at)
      VALUES ('delay:WH/OUT/00099', 'email', '["buyer@customer.test"]'::jsonb, 'Your delivery is delayed', 'x', 'failed', 1, now(), 'NOTIFY_SMTP_REJECTED', '550 5.1.1 user unknown', '<m99@acme.test>', now())
      RETURNING id`.execute(x.t.store.db);
    const id = String(inserted.rows[0]!.id);
    assert.equal(
      (
        await new UndeliveredNotices({
          db: x.t.store.db as never,
          exceptions: x.services.exceptions,
          logger: silentLogger(),
        }).sweep()
      ).opened,
      1,
    );
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: 'Exceptions' })
      .click();
    await page
      .locator('[data-case]')
      .filter({ hasText: 'buyer@customer.test' })
      .getByRole('link')
      .first()
      .click();
    const detail = page.locator('[data-case-detail]');
    await detail.getByRole('button', { name: 'Send the message again' }).waitFor();
    assert.equal(
      await detail.getByRole('button', { name: 'Retry as is' }).count(),
      0,
      'no run to retry',
    );
    const answered = page.waitForResponse((r) =>
      r.url().endsWith(`/api/v1/notifications/${id}/resend`),
    );
    await detail.getByRole('button', { name: 'Send the message again' }).click();
    const response = await answered;
    assert.equal(response.status(), 200, await response.text());
    const row = (
      await sql<{
        status: string;
        attempts: number;
      }>`SELECT status, attempts FROM notifications WHERE id = ${id}`.execute(x.t.store.db)
    ).rows[0]!;
    assert.deepEqual(row, { status: 'pending', attempts: 0 });
    // The outbox screen shows it queued again (this instance has no mail server to send it).
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: 'Notifications' })
      .click();
    await page
      .getByRole('table', { name: 'Notifications' })
      .locator(`[data-notification="${id}"][data-status="pending"]`)
      .getByText('buyer@customer.test')
      .waitFor();
    await context.close();
  });

  test('keyboard only: an approver reaches the inbox, opens a request and approves it without a mouse, always seeing where the focus is', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.approver);
    /** Presses Tab until the focused element's accessible text is `name` (at most 60 presses); checks the focus is drawn. */
    const tabTo = async (name: string | RegExp) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        // Runs in the page (the test's own types have no DOM): the focused element's name (its aria-label, its label, or its text) and outline.
        const focused = (await page.evaluate(`(() => {
          const el = document.activeElement;
          const style = el ? getComputedStyle(el) : null;
          return { text: (el?.getAttribute('aria-label') ?? el?.labels?.[0]?.innerText ?? el?.innerText ?? '').trim(), outline: style ? style.outlineStyle + ' ' + style.outlineWidth : '' };
        })()`)) as { text: string; outline: string };
        if (typeof name === 'string' ? focused.text === name : name.test(focused.text)) {
          assert.doesNotMatch(
            focused.outline,
            /^none|0px$/,
            `focus on "${focused.text}" is visible`,
          );
          return;
        }
      }
      throw new Error(`Tab never reached ${String(name)}`);
    };
    await tabTo('Approvals');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Pending approval requests' }).waitFor();
    await tabTo('Credit limit exceeded on S00102');
    await page.keyboard.press('Enter');
    await page.locator('[data-approval-detail]').getByText('Why (the policy decision)').waitFor();
    await tabTo('Reason (required to reject)');
    await page.keyboard.type('Checked with credit control');
    await tabTo('Approve');
    await page.keyboard.press('Enter');
    await page.locator('[data-approval-detail]').locator('.badge-approved').first().waitFor();
    assert.match(
      await page.getByRole('list', { name: 'Request history' }).innerText(),
      /approved.*Checked with credit control/s,
    );
    await context.close();
  });

  test('an auditor searches the audit log and verifies its hash chain', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.auditor);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Action (or prefix)').fill('run');
    // The search's answer is held back: until it comes, the table shows the last answer,
    // marked busy, and a test (or a screen reader) that waits for it to settle sees the new one.
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    await page.route(/\/api\/v1\/audit\?action=run&/, async (route) => {
      await answered;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table
      .and(page.locator('[aria-busy="true"]'))
      .getByText('login.succeeded')
      .first()
      .waitFor();
    answer();
    const entries = answeredTable(page, 'Audit entries');
    await entries.getByText('run.cancel').first().waitFor();
    assert.equal(
      await entries.getByText('login.succeeded').count(),
      0,
      'the search shows only run.* entries',
    );
    await page.getByLabel('Action (or prefix)').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await entries.getByText('approval.approve').first().waitFor();
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await page.locator('[data-verify="ok"]').waitFor();
    await context.close();
  });
});
