import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { waitForRun } from '../support/engine.ts';
import {
  builtDashboard,
  CREDIT,
  launchBrowser,
  SHIP,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** Restock orders: the policy's decision says whether identical ones may be approved together. */
const RESTOCK = `
id: restock-release
description: Restock orders wait for credit control; routine ones may be approved in bulk
trigger: { event: restock.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: purchase.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Restock ' & event.payload.name & ' from ' & event.payload.supplier"
      requester: "= event.payload.requester"
      policy: "= event.payload.policy"
      bulk: "= event.payload.policy.decision.bulk_approve = true"
      levels:
        - { name: credit, approvers: { group: credit-control }, sla_hours: 4 }
  - id: release
    type: transform
    with: { released: true, decision: "= steps.approve.output.decision" }
`;

/** A decide step's output: the same rule of the same policy version makes requests identical. */
const decision = (ruleId: string, amount: number) => ({
  decision: { tier: 'manager', bulk_approve: true },
  policy: { id: 'restock-tier', version: '3f9a0c2e71b4d685' },
  matched: [
    { node: 'Restock tier', rule: ruleId === 'routine' ? 2 : 3, ruleId, inputs: { amount } },
  ],
});

/**
 * Bulk approval in the approvals inbox, in Debian's Chromium against a real Crossdock: an
 * approver picks the requests like one, approves them in one go and sees each outcome.
 */
describe('approvals inbox: approving identical requests together', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  const runs: Record<string, string> = {};
  const requests: Record<string, string> = {};

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    const parsed = [CREDIT, SHIP, RESTOCK].map((text, i) =>
      parseWorkflow(text, `bulk-${i}.yaml`, x.engine.steps),
    );
    await x.engine.installWorkflows(
      parsed.flatMap((p) => (p.ok ? p.workflows : assert.fail(JSON.stringify(p.problems)))),
    );
    browser = await launchBrowser();
    const restock = [
      ['P00201', 'routine', 'buyer@acme.test'],
      ['P00202', 'routine', 'buyer@acme.test'],
      ['P00203', 'routine', 'buyer@acme.test'],
      // Asked for by the approver: segregation of duties refuses this one, whatever the bulk.
      ['P00204', 'routine', x.users.approver],
      ['P00205', 'routine-small', 'buyer@acme.test'],
    ] as const;
    for (const [i, [name, rule, requester]] of restock.entries()) {
      runs[name] = await x.send('restock.review', `po-${i}`, {
        id: 201 + i,
        name,
        supplier: 'Nordic Paper AB',
        requester,
        policy: decision(rule, 4_000 + i * 250),
      });
    }
    runs.S00301 = await x.send('credit.review', 'so-301', {
      id: 301,
      name: 'S00301',
      amount: 12_000,
      requester: 'sales@acme.test',
    });
    const { approvals } = await x.services.approvals.list({ status: 'pending' });
    for (const [name, runId] of Object.entries(runs))
      requests[name] = approvals.find((a) => a.runId === runId)!.id;
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('an approver selects all requests like one, approves them, sees each outcome, and the runs complete', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.approver);
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('button', { name: 'All pending' }).click();
    const inbox = page.getByRole('table', { name: 'Pending approval requests' });
    const row = (name: string) => inbox.locator(`[data-approval="${requests[name]}"]`);
    await row('S00301').waitFor();
    assert.equal(
      await row('S00301').getByRole('checkbox').count(),
      0,
      'a request its policy does not allow in bulk offers no checkbox',
    );

    // By keyboard: the first checkbox, then the group's "select all".
    const first = inbox.getByRole('checkbox', {
      name: `Select request ${requests.P00201}: Restock P00201 from Nordic Paper AB`,
    });
    await first.focus();
    await page.keyboard.press('Space');
    assert.equal(await first.isChecked(), true);
    assert.equal(
      await row('P00205').getByRole('checkbox').isDisabled(),
      true,
      'a request of another group cannot join the selection',
    );
    await page.getByRole('button', { name: 'Select all 4 like this' }).click();
    for (const name of ['P00201', 'P00202', 'P00203', 'P00204'])
      assert.equal(await row(name).getByRole('checkbox').isChecked(), true, name);
    assert.equal(await row('P00205').getByRole('checkbox').isChecked(), false);

    const form = page.getByRole('form', { name: 'Bulk approval' });
    await form.getByLabel('Reason for all (optional)').fill('Routine restock, same supplier');
    await form.getByRole('button', { name: 'Approve 4 selected' }).click();

    const results = page.getByRole('region', { name: 'Bulk approval results' });
    await results.getByRole('status').filter({ hasText: '3 approved, 1 refused' }).waitFor();
    for (const name of ['P00201', 'P00202', 'P00203']) {
      assert.match(
        await results
          .locator(`[data-bulk-result="${requests[name]}"][data-outcome="approved"]`)
          .innerText(),
        new RegExp(`Restock ${name} from Nordic Paper AB: approved`),
      );
    }
    assert.match(
      await results
        .locator(`[data-bulk-result="${requests.P00204}"][data-outcome="refused"]`)
        .innerText(),
      /refused \(APPROVAL_SELF_APPROVAL: approver@acme\.test requested approval request \d+ and cannot approve it\)/,
    );

    // The list reloads: the approved requests leave it, the refused one stays.
    await row('P00201').waitFor({ state: 'detached' });
    assert.equal((await row('P00202').count()) + (await row('P00203').count()), 0);
    assert.equal(await row('P00204').count(), 1);
    for (const name of ['P00201', 'P00202', 'P00203']) {
      assert.deepEqual((await waitForRun(x.engine, runs[name]!)).output, {
        released: true,
        decision: 'approved',
      });
    }
    await page.goto(`/app/runs/${runs.P00202}`);
    await page.locator('[data-run-status="completed"]').waitFor();
    assert.equal(
      await page.locator('[data-step="release"]').getAttribute('data-status'),
      'completed',
    );
    const history = (await x.services.approvals.show(requests.P00201!)).actions.find(
      (a) => a.action === 'approved',
    )!;
    assert.equal(history.reason, 'Routine restock, same supplier');
    assert.equal((history.details.bulk as { of: number }).of, 4);
    await context.close();
  });

  test('a viewer sees the inbox with no checkboxes', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const inbox = page.getByRole('table', { name: 'Pending approval requests' });
    await inbox.getByRole('link', { name: 'Restock P00205 from Nordic Paper AB' }).waitFor();
    assert.equal(await inbox.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Select all/ }).count(), 0);
    await context.close();
  });
});
