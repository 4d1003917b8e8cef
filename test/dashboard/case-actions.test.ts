import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitForRun } from '../support/engine.ts';
import {
  builtDashboard,
  HOLD,
  launchBrowser,
  loadWorkflows,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** A damaged shipment's case, as shipment-tracking raises it: it offers reship. */
const DAMAGED = `
id: shipment-damaged
trigger: { event: shipment.damaged }
steps:
  - id: case
    type: raise_exception
    with:
      type: check
      severity: high
      title: "= 'Shipment ' & input.picking & ' damaged'"
      actions: [reship]
  - id: wait
    type: wait
    with: { signal: case.action }
  - id: close
    type: exceptions.resolve
    with: { case_id: "= steps.case.output.caseId", reason_code: handled_manually, note: "= 'acted on: ' & steps.wait.output.payload.action" }
`;

/**
 * A business case in Debian's Chromium: an order held for a blocked customer offers the
 * actions its workflow declares, and none that would fail (no retry, no "Retry all" for its
 * group); the one chosen reaches the run, which closes the case. A damaged shipment's case
 * offers Reship.
 */
describe('business case actions in the browser', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let heldRun: string;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    heldRun = await x.send('order.held', 'so-9', { name: 'S00109' });
    assert.equal((await x.engine.runs.show(heldRun)).status, 'waiting');
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test("an operator sees the hold's actions, not retry, and cancels the order from its case", async () => {
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page.goto('/app/exceptions');
    const groups = page.getByRole('list', { name: 'Root-cause groups' });
    await groups.getByText(/order-hold \/ hold \/ CUSTOMER_BLOCKED/).waitFor();
    assert.equal(
      await groups.getByRole('button', { name: /Retry all/ }).count(),
      0,
      'nothing in the group can be retried',
    );
    await page.locator('[data-case]').filter({ hasText: 'S00109' }).getByRole('link').click();
    const detail = page.locator('[data-case-detail]');
    const actions = detail.getByLabel('Case actions');
    await actions.waitFor();
    assert.deepEqual(await actions.getByRole('button').allInnerTexts(), [
      'Check again now',
      'Cancel the order',
    ]);
    assert.equal(await detail.getByRole('button', { name: 'Retry as is' }).count(), 0);
    assert.equal(await detail.getByText('Replay with a corrected input').count(), 0);
    await detail.getByLabel('Note for the action (optional)').fill('customer withdrew the order');
    await actions.getByRole('button', { name: 'Cancel the order' }).click();
    await page.locator('[data-case-detail][data-case-status="resolved"]').waitFor();
    // The history reads as a timeline, oldest first: opened, the operator's choice, closed by the run.
    const history = page.getByRole('list', { name: 'Case history' });
    await history.locator('[data-history="resolved"]').waitFor();
    assert.deepEqual(
      await history
        .getByRole('listitem')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-history'))),
      ['opened', 'action', 'resolved'],
    );
    assert.match(
      await history.locator('[data-history="opened"]').innerText(),
      /Opened by .* case with code CUSTOMER_BLOCKED/,
    );
    assert.match(
      await history.locator('[data-history="action"]').innerText(),
      /operator@acme\.test chose cancel, sent to run \d+\s+customer withdrew the order$/,
    );
    assert.match(
      await history.locator('[data-history="resolved"]').innerText(),
      /Resolved by .* as handled manually/,
    );
    assert.doesNotMatch(await history.innerText(), /[{}]/, 'no raw JSON');
    const run = await waitForRun(x.engine, heldRun, ['completed', 'failed']);
    assert.equal(run.status, 'completed');
    assert.equal(
      (
        run.steps.find((s) => s.stepId === 'wait')!.output as {
          payload: { action: string; note: string };
        }
      ).payload.note,
      'customer withdrew the order',
    );
    await context.close();
  });

  test("a damaged shipment's case offers Reship, which reaches its run", async () => {
    await loadWorkflows(x, [HOLD, DAMAGED]);
    const runId = await x.send('shipment.damaged', 'sp-7', { picking: 'WH/OUT/00077' });
    assert.equal((await x.engine.runs.show(runId)).status, 'waiting');
    const { context, page } = await signIn(browser, x.base, x.users.operator);
    await page.goto('/app/exceptions');
    await page.locator('[data-case]').filter({ hasText: 'WH/OUT/00077' }).getByRole('link').click();
    const actions = page.locator('[data-case-detail]').getByLabel('Case actions');
    await actions.waitFor();
    assert.deepEqual(await actions.getByRole('button').allInnerTexts(), ['Reship']);
    await actions.getByRole('button', { name: 'Reship' }).click();
    await page.locator('[data-case-detail][data-case-status="resolved"]').waitFor();
    const run = await waitForRun(x.engine, runId, ['completed', 'failed']);
    assert.equal(
      (run.steps.find((s) => s.stepId === 'wait')!.output as { payload: { action: string } })
        .payload.action,
      'reship',
    );
    await context.close();
  });
});
