import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { builtDashboard, launchBrowser, signIn, startInstance, type Instance } from './support.ts';

/**
 * The Exceptions screen's reconciliation panel in Debian's Chromium: what the sweep recorded
 * (its `reconcile.finding` events, as the sweep writes them through the intake) shown by type,
 * with every type listed, and the latest findings with what was done and a link to the case.
 */
describe('reconciliation panel in the browser', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  let caseId: string;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    const opened = await x.services.exceptions.openCase(
      {
        type: 'check',
        title: 'P00012 past its planned date with nothing received',
        subject: { model: 'purchase.order', id: 12, name: 'P00012' },
        owner: { team: 'purchasing' },
        code: 'RECONCILE_RECEIPT_OVERDUE',
        key: 'reconcile:receipt-overdue:purchase.order:12:2026-01-05 12:00:00',
      },
      { actor: 'engine' },
    );
    caseId = opened.case.id;
    const finding = (key: string, payload: Record<string, unknown>) =>
      x.engine.accept({ source: 'crossdock', type: 'reconcile.finding', key, payload });
    await finding('reconcile:unreleased-order:sale.order:25:2026-01-05 08:00:00', {
      finding: 'unreleased-order',
      model: 'sale.order',
      id: 25,
      name: 'S00025',
      detail: 'confirmed 2026-01-05 08:00:00, no release decision',
      action: 'release requested',
      caseId: null,
      runIds: ['41'],
    });
    await finding('reconcile:receipt-overdue:purchase.order:12:2026-01-05 12:00:00', {
      finding: 'receipt-overdue',
      model: 'purchase.order',
      id: 12,
      name: 'P00012',
      detail: 'planned 2026-01-05 12:00:00, nothing received',
      action: 'case opened (purchasing)',
      caseId,
      runIds: [],
    });
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('a viewer sees the findings by type and the latest, the case one click away', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    await page.goto('/app/exceptions');
    const byType = page.getByRole('list', { name: 'Findings by type' });
    await byType.waitFor();
    assert.deepEqual(await byType.getByRole('listitem').allInnerTexts(), [
      'unreleased-order 1',
      'held-order-ready 0',
      'delivery-not-dispatched 0',
      'receipt-overdue 1',
      'delivery-not-invoiced 0',
    ]);
    const latest = page.getByRole('table', { name: 'Latest findings' });
    const rows = latest.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(
      await rows.nth(0).innerText(),
      /receipt-overdue\s+purchase\.order P00012\s+case opened \(purchasing\) #\d+/,
    );
    assert.match(
      await rows.nth(1).innerText(),
      /unreleased-order\s+sale\.order S00025\s+release requested/,
    );
    await rows
      .nth(0)
      .getByRole('link', { name: `#${caseId}` })
      .click();
    await page.waitForURL(new RegExp(`/app/exceptions/${caseId}$`));
    await context.close();
  });
});
