/**
 * The operations lead's controls over AI in Debian's Chromium, on a whole Crossdock whose
 * triage asks the OpenAI-compatible simulator: the count of review tasks waiting in the
 * navigation (read again after a decision, and on its own while the page stays open), the
 * override of a triage the gate applied from the recommendation log (refused on the page
 * without a reason; the case corrected), and the provider's spend against its spending limit
 * on the Overview, as the API gives it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { answer, startTriageInstance, type TriageInstance } from '../ai/triage-instance.ts';
import { accessibilityProblems } from './axe.ts';
import { builtDashboard, launchBrowser, signIn, usersAndViewerToken } from './support.ts';

describe("the operations lead's controls over AI on the dashboard", () => {
  let dist: string;
  let x: TriageInstance;
  let base: string;
  let browser: Browser;
  let applied: { recommendationId: string; caseId: string };
  let viewerToken: string;
  const api = async (path: string) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    assert.equal(response.status, 200, path);
    return (await response.json()) as any;
  };
  const badge = (page: Page) =>
    page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: /AI recommendations/ })
      .locator('[data-badge="ai-reviews"]');

  before(async () => {
    dist = await builtDashboard();
    x = await startTriageInstance({
      // A dollar per 1000 tokens either way; limits far above what the test spends.
      CROSSDOCK_AI_PRICES: 'sim-triage-1=1000/1000',
      CROSSDOCK_AI_BUDGET_DAILY_USD: '500',
      CROSSDOCK_AI_BUDGET_MONTHLY_USD: '9000',
    });
    x.sim.rules.push(
      answer('STOCK_SHORT', 'stock_shortage', 'purchasing', 0.92, 'The bin count is short.'),
      answer('LATE_TRUCK', 'carrier_delay', 'logistics', 0.45, 'The note names a late truck.'),
    );
    applied = await x.incident('STOCK_SHORT', 'c-1');
    assert.equal((await x.incident('LATE_TRUCK', 'c-2')).outcome, 'review');
    base = await x.listen(dist);
    viewerToken = await usersAndViewerToken(x.crossdock.services, ['operator', 'viewer']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('the navigation counts the review tasks waiting, live', async () => {
    const { context, page } = await signIn(browser, base, 'operator@acme.test', undefined, {
      clock: true,
    });
    await badge(page).waitFor();
    assert.equal(await badge(page).textContent(), '1 review task waiting');
    assert.equal((await api('/ai/reviews/waiting')).waiting, 1);

    // The engine leaves another task while the page stays open: the count follows without a reload.
    const second = await x.incident('LATE_TRUCK', 'c-3');
    assert.equal(second.outcome, 'review');
    // The badge is read again every 15 s: the page's clock is moved on by that much.
    await page.clock.fastForward(15_000);
    await badge(page)
      .filter({ hasText: /^2 review tasks waiting$/ })
      .waitFor({ timeout: 5_000 });

    // A decision on the page takes one off at once.
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: /AI recommendations/ })
      .click();
    const task = page.getByRole('article', { name: `Review task ${second.recommendationId}` });
    await task.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('region', { name: 'Review tasks: 1 waiting' }).waitFor();
    await badge(page)
      .filter({ hasText: /^1 review task waiting$/ })
      .waitFor({ timeout: 5_000 });
    assert.deepEqual(await accessibilityProblems(page), []);
    await context.close();
  });

  test('an operator overrides a triage the gate applied, from its row in the log', async () => {
    const { context, page } = await signIn(browser, base, 'operator@acme.test');
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: /AI recommendations/ })
      .click();
    const log = page.getByRole('table', { name: 'AI recommendations' });
    const row = log.locator(`tr[data-recommendation="${applied.recommendationId}"]`);
    await row.waitFor();
    // Only the applied triage offers it: a review task is decided in its own form.
    assert.equal(await log.getByText('Override the gate').count(), 1);
    await row.getByText('Override the gate').click();
    const form = row.getByRole('form', {
      name: `Override of recommendation ${applied.recommendationId}`,
    });
    assert.equal(await form.getByRole('button', { name: 'Accept' }).count(), 0);
    await form.getByLabel('Category').selectOption('carrier_delay');
    await form.getByLabel('Team').selectOption('logistics');
    await form.getByLabel('Severity').selectOption('critical');
    await form.getByRole('button', { name: 'Override' }).click();
    const reason = form.getByLabel('Reason (required to override)');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    assert.equal(
      (await api(`/ai/recommendations/${applied.recommendationId}`)).reviewStatus,
      null,
      'nothing was sent',
    );
    assert.deepEqual(await accessibilityProblems(page), []);
    await reason.fill('The shortage was a truck that never came.');
    await form.getByRole('button', { name: 'Override' }).click();

    const final = row.locator('[data-col="final"]');
    await final.getByText('overridden').waitFor();
    assert.match(
      await final.innerText(),
      /carrier_delay → logistics, severity critical overridden[\s\S]*operator@acme\.test: The shortage was a truck that never came\./,
    );
    assert.equal(await row.getByText('Override the gate').count(), 0, 'decided once');
    const c = await x.crossdock.services.exceptions.show(applied.caseId);
    assert.deepEqual([c.owner.team, c.severity], ['logistics', 'critical']);
    const summary = await api('/ai/summary?days=1');
    const cls = summary.classes.find((k: { category: string }) => k.category === 'stock_shortage');
    assert.deepEqual([cls.appliedOverridden, cls.overrideRate], [1, 1]);
    await context.close();
  });

  test("the Overview shows the provider's spend against the spending limit, as the API gives it", async () => {
    const { context, page } = await signIn(browser, base, 'viewer@acme.test');
    const line = page.locator('[data-kpi="ai-budget"]');
    await line.waitFor();
    const { budget } = await api('/ai/summary?days=1');
    assert.ok(budget.spentTodayUsd > 0, 'the triages so far cost something');
    assert.equal(budget.spent, null);
    assert.equal(
      await line.innerText(),
      `Provider spend (UTC): $${budget.spentTodayUsd.toFixed(2)} of $500.00 today; ` +
        `$${budget.spentMonthUsd.toFixed(2)} of $9000.00 this month.`,
    );
    assert.equal(await page.locator('[data-kpi="ai-budget-spent"]').count(), 0);
    // A viewer is offered no override.
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: /AI recommendations/ })
      .click();
    await page.getByRole('table', { name: 'AI recommendations' }).waitFor();
    assert.equal(await page.getByText('Override the gate').count(), 0);
    await context.close();
  });
});
