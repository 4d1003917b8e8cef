import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { packHarness, type PackHarness } from '../packs/support.ts';
import { waitForRun } from '../support/engine.ts';
import { builtDashboard, launchBrowser, PASSWORD, signIn } from './support.ts';

/**
 * A blocked customer's held order in Debian's Chromium, on the demo system (the packs on the
 * Odoo and carrier simulators): its case offers the actions the order-release workflow
 * declares and none that would fail; once credit control unblocks the customer in Odoo,
 * "Check again now" releases the order, which is then booked.
 */
describe('a blocked customer in the browser: check again releases the order', () => {
  let dist: string;
  let h: PackHarness;
  let browser: Browser;
  const OPERATOR = 'olga.ops@acme.test';

  before(async () => {
    dist = await builtDashboard();
    h = await packHarness({ dashboardDir: dist });
    await h.crossdock.services.users.create({
      email: OPERATOR,
      role: 'operator',
      password: PASSWORD,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  test("the case offers its workflow's actions, none that fail; after the unblock in Odoo, Check again now releases and books the order", async () => {
    const order = await h.placeOrder('Brussels', [['Archive Box', 2]]);
    const held = await h.runFor('order-release', order.id);
    assert.equal(held.status, 'waiting', JSON.stringify(held.error));

    const { context, page } = await signIn(browser, h.instance.url!, OPERATOR);
    await page.goto('/app/exceptions');
    const group = page
      .getByRole('list', { name: 'Root-cause groups' })
      .getByRole('listitem')
      .filter({ hasText: 'CUSTOMER_BLOCKED' });
    await group.waitFor();
    assert.equal(
      await group.getByRole('button', { name: /Retry all/ }).count(),
      0,
      'nothing in the group can be retried',
    );
    await page
      .locator('[data-case]')
      .filter({ hasText: order.name })
      .filter({ hasText: 'CUSTOMER_BLOCKED' })
      .getByRole('link')
      .first()
      .click();
    const detail = page.locator('[data-case-detail]');
    const actions = detail.getByLabel('Case actions');
    await actions.waitFor();
    assert.deepEqual(await actions.getByRole('button').allInnerTexts(), [
      'Check again now',
      'Release with an approval',
      'Cancel the order',
    ]);
    assert.equal(await detail.getByRole('button', { name: 'Retry as is' }).count(), 0);
    assert.equal(await detail.getByText('Replay with a corrected input').count(), 0);

    // Credit control unblocks the customer in Odoo; the operator checks again.
    const [row] = await h.rpc<{ partner_id: [number, string] }[]>(
      'sale.order',
      'read',
      [[order.id]],
      { fields: ['partner_id'] },
    );
    await h.rpc('res.partner', 'write', [
      [row!.partner_id[0]],
      { sale_warn: 'no-message', sale_warn_msg: false },
    ]);
    await detail.getByLabel('Note for the action (optional)').fill('unblocked in Odoo');
    await actions.getByRole('button', { name: 'Check again now' }).click();
    await page
      .locator('[data-case-detail][data-case-status="resolved"]')
      .waitFor({ timeout: 30_000 });
    assert.match(
      await page.locator('[data-history="action"]').innerText(),
      /olga\.ops@acme\.test chose check again, sent to run \d+\s+unblocked in Odoo$/,
    );

    const released = await waitForRun(h.crossdock.engine, held.id, ['completed', 'failed']);
    assert.equal(released.status, 'completed', JSON.stringify(released.error));
    assert.ok(h.path(released).includes('released'), h.path(released).join(' > '));
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    await context.close();
  });
});
