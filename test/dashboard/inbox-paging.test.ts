import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitForRun } from '../support/engine.ts';
import { builtDashboard, launchBrowser, signIn, startInstance, type Instance } from './support.ts';

/** An inbox longer than a page: every request is reachable, in deadline order, and the count is the server's. */
describe('an approvals inbox of more than one page', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;
  const REQUESTS = 130;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    const runs: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { runIds } = await x.engine.accept({
        source: 'odoo',
        type: 'credit.review',
        key: `so-${i}`,
        payload: {
          id: 1000 + i,
          name: `S${String(1000 + i).padStart(5, '0')}`,
          amount: 20_000 + i,
          requester: 'sales@acme.test',
        },
      });
      runs.push(runIds[0]!);
    }
    for (const id of runs) await waitForRun(x.engine, id, ['waiting']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('the approver pages through all of them: 100, then the 30 with later deadlines', async () => {
    const { approvals } = await x.services.approvals.list({ status: 'pending', limit: 500 });
    assert.equal(approvals.length, REQUESTS);
    const { context, page } = await signIn(browser, x.base, x.users.approver);
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: 'Approvals' })
      .click();
    const inbox = page.getByRole('table', { name: 'Pending approval requests' });
    const links = inbox.locator('tbody tr a[href*="/approvals/"]');
    await page
      .locator('[data-inbox-range]')
      .getByText(`Requests 1–100 of ${REQUESTS}, soonest deadline first`)
      .waitFor();
    assert.deepEqual(
      await links.allInnerTexts(),
      approvals.slice(0, 100).map((a) => a.summary),
    );
    assert.equal(await page.getByRole('button', { name: 'Sooner deadlines' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Later deadlines' }).click();
    await page
      .locator('[data-inbox-range]')
      .getByText(`Requests 101–${REQUESTS} of ${REQUESTS}, soonest deadline first`)
      .waitFor();
    assert.deepEqual(
      await links.allInnerTexts(),
      approvals.slice(100).map((a) => a.summary),
    );
    assert.equal(await page.getByRole('button', { name: 'Later deadlines' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Sooner deadlines' }).click();
    await page.locator('[data-inbox-range]').getByText(`Requests 1–100 of ${REQUESTS}`).waitFor();
    await context.close();
  });
});
