/**
 * The AI recommendations screen in Debian's Chromium, on a whole Crossdock whose exception
 * triage asks the OpenAI-compatible simulator: the log shows a recommendation the gate
 * applied, an operator accepts one review task and overrides another from the page (the
 * override refused without a reason, the error under its field), the Overview's card shows
 * the override rate the API gives for the same range, the delivery delay-risk list shows the
 * newest scoring pass riskiest first, and axe-core finds no serious problem.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { scoreDeliveries } from '../../src/ai/delay-risk/scoring.ts';
import { DelayRiskModel, readDelaySet, trainDelayRiskModel } from '../../src/ai/index.ts';
import { answer, startTriageInstance, type TriageInstance } from '../ai/triage-instance.ts';
import { accessibilityProblems } from './axe.ts';
import {
  answeredTable,
  builtDashboard,
  launchBrowser,
  signIn,
  usersAndViewerToken,
} from './support.ts';

const TRAIN = 'ai/eval/delay-risk-train.jsonl';

describe('AI recommendations on the dashboard', () => {
  let dist: string;
  let x: TriageInstance;
  let base: string;
  let browser: Browser;
  let viewerToken: string;
  let applied: { recommendationId: string; caseId: string };
  let toAccept: { recommendationId: string; caseId: string };
  let toOverride: { recommendationId: string; caseId: string };
  const api = async (path: string) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    assert.equal(response.status, 200, path);
    return (await response.json()) as any;
  };

  before(async () => {
    dist = await builtDashboard();
    x = await startTriageInstance();
    x.sim.rules.push(
      answer('STOCK_SHORT', 'stock_shortage', 'purchasing', 0.92, 'The bin count is short.'),
      answer('LATE_TRUCK', 'carrier_delay', 'logistics', 0.45, 'The note names a late truck.'),
      answer('WRONG_DOOR', 'address_problem', 'customer_service', 0.5, 'The consignee moved.'),
    );
    applied = await x.incident('STOCK_SHORT', 'i-1');
    toAccept = await x.incident('LATE_TRUCK', 'i-2');
    toOverride = await x.incident('WRONG_DOOR', 'i-3');
    assert.deepEqual(
      [applied, toAccept, toOverride].map((r) => (r as { outcome?: string }).outcome),
      ['applied', 'review', 'review'],
    );
    base = await x.listen(dist);
    viewerToken = await usersAndViewerToken(x.crossdock.services, [
      'operator',
      'viewer',
      'approver',
    ]);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('an operator reads the log, accepts one review task and overrides another', async () => {
    const { context, page } = await signIn(browser, base, 'operator@acme.test');
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: 'AI recommendations' })
      .click();
    await page.getByRole('heading', { name: 'AI recommendations', level: 1 }).waitFor();
    const log = answeredTable(page, 'AI recommendations');
    await log.waitFor();
    assert.equal(await log.locator('tbody tr').count(), 3);

    // The recommendation the gate applied: the case it is about, the answer, the gate, what was done.
    const row = log.locator(`tr[data-recommendation="${applied.recommendationId}"]`);
    const cell = (col: string) => row.locator(`[data-col="${col}"]`).innerText();
    assert.match(await cell('answer'), /stock_shortage → purchasing/);
    assert.match(await cell('answer'), /The bin count is short\./);
    assert.equal(await cell('confidence'), '92 % / 80 %');
    assert.equal(await cell('outcome'), 'applied');
    assert.match(await cell('final'), /stock_shortage → purchasing[\s\S]*by ai-gate/);
    assert.match(await row.innerText(), /exception_triage[\s\S]*sim-triage-1/);
    assert.match(await row.innerText(), /\d+ \+ \d+ tokens, 1 attempt/);
    assert.equal(
      await row.getByRole('link', { name: `case ${applied.caseId}` }).getAttribute('href'),
      `/app/exceptions/${applied.caseId}`,
    );

    // Filtered by outcome: only the applied one.
    await page.getByLabel('Outcome').selectOption('applied');
    await log.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
    assert.deepEqual(
      await log
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.dataset.recommendation)),
      [applied.recommendationId],
    );
    await page.getByLabel('Outcome').selectOption('');

    const tasks = page.getByRole('region', { name: 'Review tasks: 2 waiting' });
    await tasks.waitFor();
    const acceptTask = tasks.getByRole('article', {
      name: `Review task ${toAccept.recommendationId}`,
    });
    assert.match(await acceptTask.innerText(), /carrier_delay → logistics/);
    assert.match(await acceptTask.innerText(), /45 % below the threshold 80 %/);
    assert.match(await acceptTask.innerText(), /The note names a late truck\./);
    assert.deepEqual(await accessibilityProblems(page), []);

    await acceptTask.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('region', { name: 'Review tasks: 1 waiting' }).waitFor();
    const accepted = await api(`/ai/recommendations/${toAccept.recommendationId}`);
    assert.equal(accepted.reviewStatus, 'accepted');
    assert.match(accepted.decidedBy, /operator@acme\.test/);
    assert.equal(
      (await x.crossdock.services.exceptions.show(toAccept.caseId)).owner.team,
      'logistics',
    );

    // Override: without a reason the page refuses, under the reason's field, and nothing is sent.
    const overrideTask = page.getByRole('article', {
      name: `Review task ${toOverride.recommendationId}`,
    });
    const form = overrideTask.getByRole('form', {
      name: `Review of recommendation ${toOverride.recommendationId}`,
    });
    await form.getByLabel('Team').selectOption('logistics');
    await form.getByRole('button', { name: 'Override' }).click();
    const reason = form.getByLabel('Reason (required to override)');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    const describedBy = (await reason.getAttribute('aria-describedby'))!;
    assert.equal(
      await form.locator(`[id="${describedBy}"]`).innerText(),
      'Say why the recommendation was wrong.',
    );
    assert.equal(
      (await api(`/ai/recommendations/${toOverride.recommendationId}`)).reviewStatus,
      'pending',
    );
    assert.deepEqual(await accessibilityProblems(page), []);
    await reason.fill('The driver went to the wrong door: our own routing');
    await form.getByRole('button', { name: 'Override' }).click();
    await page.getByRole('region', { name: 'Review tasks: 0 waiting' }).waitFor();
    const overridden = await api(`/ai/recommendations/${toOverride.recommendationId}`);
    assert.equal(overridden.reviewStatus, 'overridden');
    assert.deepEqual(overridden.final, { category: 'address_problem', team: 'logistics' });
    assert.equal(overridden.decisionReason, 'The driver went to the wrong door: our own routing');
    assert.equal(
      (await x.crossdock.services.exceptions.show(toOverride.caseId)).owner.team,
      'logistics',
    );
    // The log says what was finally done, and by whom.
    const finalOf = (id: string) =>
      log.locator(`tr[data-recommendation="${id}"] [data-col="final"]`).innerText();
    assert.match(
      await finalOf(toOverride.recommendationId),
      /address_problem → logistics overridden[\s\S]*operator@acme\.test: The driver went to the wrong door/,
    );
    assert.match(await finalOf(toAccept.recommendationId), /carrier_delay → logistics accepted/);
    await page.getByLabel('Review', { exact: true }).selectOption('overridden');
    await log.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
    assert.equal(await log.locator('tbody tr').count(), 1);
    await context.close();
  });

  test('the Overview shows the override rate per class as the API gives it for the same range', async () => {
    const waiting = await x.incident('LATE_TRUCK', 'i-4'); // left for review: a viewer sees it, cannot decide it
    const { context, page } = await signIn(browser, base, 'viewer@acme.test');
    const card = page.getByRole('article', { name: 'AI override rate' });
    await card.locator('[data-kpi="ai-override-rate"]').waitFor();
    // The Overview's default range is the last 24 hours to now; every recommendation is inside it.
    const to = new Date();
    const from = new Date(to.getTime() - 86_400_000);
    const summary = await api(
      `/ai/summary?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`,
    );
    const classes = summary.classes as {
      use: string;
      category: string;
      overridden: number;
      overrideRate: number | null;
      applied: number;
      accepted: number;
      appliedOverridden: number;
    }[];
    assert.equal(classes.length, 3);
    const decided = classes.reduce(
      (n, c) => n + c.applied + c.accepted + c.overridden - c.appliedOverridden,
      0,
    );
    const overridden = classes.reduce((n, c) => n + c.overridden, 0);
    assert.deepEqual([overridden, decided], [1, 3]);
    assert.equal(
      await card.locator('[data-kpi="ai-override-rate"]').innerText(),
      `${((overridden / decided) * 100).toFixed(1)} %`,
    );
    for (const c of classes) {
      const row = card.locator(`tr[data-ai-class="${c.use}/${c.category}"]`);
      const rate = c.overrideRate === null ? '—' : `${(c.overrideRate * 100).toFixed(1)} %`;
      assert.equal(await row.locator('[data-col="rate"]').innerText(), rate, c.category);
      assert.equal(await row.locator('[data-col="overridden"]').innerText(), String(c.overridden));
    }
    assert.equal(
      await card
        .locator('tr[data-ai-class="exception_triage/address_problem"] [data-col="rate"]')
        .innerText(),
      '100.0 %',
    );
    assert.deepEqual(await accessibilityProblems(page), []);

    // A viewer reads the log but decides nothing.
    await page.getByRole('link', { name: 'Review the recommendations' }).click();
    await page.getByRole('table', { name: 'AI recommendations' }).waitFor();
    const task = page.getByRole('article', { name: `Review task ${waiting.recommendationId}` });
    await task.waitFor();
    assert.match(await task.innerText(), /Deciding needs the exceptions:operate permission\./);
    assert.equal(await page.getByRole('button', { name: 'Accept' }).count(), 0);
    await context.close();
  });

  test('a viewer reads the delivery delay-risk list: riskiest first, the flagged one marked, its reasons', async () => {
    const { context, page } = await signIn(browser, base, 'viewer@acme.test');
    const goToScreen = () =>
      page
        .getByRole('navigation', { name: 'Screens' })
        .getByRole('link', { name: 'AI recommendations' })
        .click();
    await goToScreen();
    const section = page.getByRole('region', { name: 'Delivery delay risk' });
    await section.getByText('No scoring pass has run yet').waitFor();

    // A pass as the operations pack's delay-risk workflow makes it, on a model trained from the shipped history.
    const db = x.crossdock.store.db;
    const now = new Date();
    await trainDelayRiskModel(db, {
      now,
      by: 'test',
      imported: { file: TRAIN, cases: readDelaySet(TRAIN) },
    });
    const open = (id: number, carrier: string, promised: string, country: string) => ({
      pickingId: id,
      picking: `WH/OUT/000${id}`,
      order: `S000${id}`,
      promised: new Date(`${promised}T16:00:00Z`),
      promisedFrom: 'deadline' as const,
      createdAt: now,
      done: null,
      late: null,
      carrier,
      warehouse: 'WH',
      country,
      zip: country === 'IT' ? '20100' : '10115',
      productClass: 'Furniture',
      backlog: country === 'IT' ? 45 : 3,
    });
    // A Friday next year and a Tuesday: neither is overdue whenever the test runs.
    await scoreDeliveries(
      db,
      new DelayRiskModel(db),
      [open(41, 'swiftpost', '2099-12-08', 'DE'), open(42, 'cargoplus', '2099-12-11', 'IT')],
      { runId: '900002', workflowId: 'delay-risk', key: 'delay-risk:ui', threshold: 0.6, now },
    );
    const listed = (await api('/ai/delay-risk')).deliveries as {
      picking: string;
      risk: number;
      flagged: boolean;
      reasons: string[];
    }[];

    await page.reload();
    const table = section.getByRole('table', { name: 'Deliveries by delay risk' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(
      await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-delivery'))),
      listed.map((d) => d.picking),
    );
    assert.equal(listed[0]!.picking, 'WH/OUT/00042');
    const risky = table.locator('tr[data-delivery="WH/OUT/00042"]');
    assert.equal(await risky.locator('[data-col="promised"]').innerText(), '2099-12-11');
    assert.match(
      await risky.locator('[data-col="risk"]').innerText(),
      new RegExp(`^${Math.round(listed[0]!.risk * 100)} %${listed[0]!.flagged ? ' flagged' : ''}$`),
    );
    assert.match(await risky.locator('[data-col="why"]').innerText(), /carrier=cargoplus/);
    const calm = table.locator('tr[data-delivery="WH/OUT/00041"]');
    assert.doesNotMatch(await calm.locator('[data-col="risk"]').innerText(), /flagged/);
    assert.deepEqual(await accessibilityProblems(page), []);
    await context.close();
  });

  test('an approver, who may not read the exception queue, sees neither the screen nor the card', async () => {
    const { context, page } = await signIn(browser, base, 'approver@acme.test');
    const nav = page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('link', { name: 'Overview' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'AI recommendations' }).count(), 0);
    await page.locator('[data-kpi="range"]').waitFor();
    assert.equal(await page.getByRole('article', { name: 'AI override rate' }).count(), 0);
    await context.close();
  });
});
