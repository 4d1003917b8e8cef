import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { HOUR, MINUTE, startKpiInstance, type KpiInstance } from '../api/kpi-support.ts';
import { startTestApi, type TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';
import { builtDashboard, launchBrowser, signIn, SHIP } from './support.ts';

describe('GET /api/v1/kpis: the overview aggregates', () => {
  let h: TestApi;
  let viewer: string;
  before(async () => {
    h = await startTestApi({ workflows: [SHIP] });
    h.engine.startWorkers(1);
    viewer = await h.tokenFor('viewer');
    for (const [i, weightKg] of [3, 50, undefined].entries()) {
      const { runIds } = await h.engine.accept({
        source: 'odoo',
        type: 'shipment.ready',
        key: `k-${i}`,
        payload: { ref: `R${i}`, ...(weightKg === undefined ? {} : { weightKg }) },
      });
      await waitForRun(h.engine, runIds[0]!);
    }
  });
  after(() => h.close());

  test('counts events, ended runs, the error rate and open exceptions in the range', async () => {
    const answer = await h.request('GET', '/api/v1/kpis?last=1h', { token: viewer });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const k = answer.body;
    assert.equal(k.bucket, '1m');
    assert.equal(k.events.series.length, 60);
    assert.equal(k.events.total, 3);
    assert.equal(
      k.events.series.reduce((a: number, b: number) => a + b, 0),
      3,
    );
    assert.deepEqual([k.runs.completedTotal, k.runs.failedTotal], [2, 1]);
    assert.equal(k.runs.errorRate, 1 / 3);
    assert.equal(k.runs.byStatus.completed, 2);
    assert.equal(k.runs.byStatus.failed, 1);
    assert.deepEqual(k.approvals, { waiting: 0, breached: 0, byLevel: [] });
    assert.equal(k.exceptions.open, 1);
    assert.deepEqual(
      k.exceptions.byAge.map((b: { count: number }) => b.count),
      [1, 0, 0, 0],
    );
    assert.deepEqual(
      k.exceptions.byType.map((t: { type: string; open: number }) => [t.type, t.open]),
      [
        ['dead_letter', 1],
        ['odoo_refusal', 0],
        ['raised', 0],
        ['check', 0],
        ['event_conflict', 0],
        ['event_order', 0],
      ],
    );
    assert.deepEqual(
      [k.latency.workflowId, k.latency.completed, k.latency.p50Ms],
      ['order-release', 0, null],
      'no order-release workflow here',
    );
    assert.deepEqual(k.queue, {
      runsDue: 0,
      oldestDueMs: null,
      runsQueued: 0,
      notificationsPending: 0,
      oldestNotificationMs: null,
    });
    assert.deepEqual(k.connectors, []);
  });

  test('a range before anything happened is all zeros; too many buckets is a 400 naming the field', async () => {
    const empty = await h.request(
      'GET',
      '/api/v1/kpis?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z&bucket=1h',
      { token: viewer },
    );
    assert.equal(empty.status, 200);
    assert.deepEqual(
      [empty.body.events.total, empty.body.events.series.length, empty.body.runs.errorRate],
      [0, 24, null],
    );
    const tooFine = await h.request('GET', '/api/v1/kpis?last=7d&bucket=1m', { token: viewer });
    assert.equal(tooFine.status, 400);
    assert.equal(tooFine.body.error.details[0].path, 'query.bucket');
    const wrong = await h.request('GET', '/api/v1/kpis?bucket=2m', { token: viewer });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.details[0].path, 'query.bucket');
  });
});

/**
 * The Overview's cards in Debian's Chromium, on a clock the test moves: what an operations
 * lead reads, and that the time range selector drives the range cards. The clock starts at
 * the last full hour of the real time (T) so the browser's session cookie is not already
 * expired; every number below is relative to T, and "now" is T + 5 h 30 min.
 */
describe('the Overview KPI cards in the browser', () => {
  let dist: string;
  let h: KpiInstance;
  let browser: Browser;
  const T = Math.floor(Date.now() / HOUR) * HOUR;
  before(async () => {
    dist = await builtDashboard();
    h = await startKpiInstance({ start: new Date(T).toISOString(), dashboardDir: dist });
    browser = await launchBrowser();
    for (const ok of [true, true, true, false]) h.stats.record('odoo:odoo', ok);
    for (const ok of [true, true]) h.stats.record('carrier:swiftpost', ok);
    for (const minutes of [1, 2, 3, 4, 10]) await h.timedRun(minutes * MINUTE); // T to T + 20 min
    h.clock.advance(40 * MINUTE); // T + 1 h
    await h.openCase('check', 'Replenishment overdue');
    h.clock.advance(2 * HOUR); // T + 3 h
    const review = async (id: number, chain: string) =>
      waitForRun(h.engine, await h.accept('purchase.review', { id, name: `P0000${id}`, chain }), [
        'waiting',
      ]);
    await review(1, 'manager'); // due T + 5 h
    h.clock.advance(HOUR); // T + 4 h
    await review(2, 'finance+director'); // finance due T + 8 h
    await h.openCase('raised', 'Carrier damage report');
    await h.engine.stopWorkers(); // nothing is claimed from here
    h.clock.advance(HOUR); // T + 5 h
    for (const n of [1, 2, 3]) await h.accept('label.print', { ok: true, n });
    await h.openCase('raised', 'Pallet short');
    await h.notifications.enqueue({
      dedupeKey: 'kpi-ui-1',
      channel: 'chat',
      to: ['ops'],
      inline: { subject: 'Queue', text: 'note' },
      data: {},
    });
    h.clock.advance(10 * MINUTE); // T + 5 h 10 min
    h.stats.record('odoo:odoo', false);
    await h.stats.flush();
    h.clock.advance(20 * MINUTE); // now: T + 5 h 30 min
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  test('each card shows its numbers; the range selector changes the range cards, not the ones as of now', async () => {
    const { context, page } = await signIn(browser, h.base, h.viewerEmail);
    const text = (selector: string) => page.locator(selector).innerText();
    await page.locator('[data-kpi="release-p50"]').waitFor();
    // Last 24 hours (the default).
    assert.deepEqual(
      [await text('[data-kpi="release-p50"]'), await text('[data-kpi="release-p90"]')],
      ['3 min 0 s', '7 min 36 s'],
    );
    assert.match(
      await text('[data-kpi="release-completed"]'),
      /^5 runs of order-release completed/,
    );
    assert.deepEqual(
      await page
        .locator('[data-connector]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-connector'))),
      ['carrier:swiftpost', 'odoo:odoo'],
    );
    assert.deepEqual(
      await page
        .locator('[data-connector="odoo:odoo"] td')
        .allInnerTexts()
        .then((cells) => cells.slice(0, 4)),
      ['odoo:odoo', '40.0 %', '5', '2'],
    );
    assert.equal(
      await text('[data-connector="carrier:swiftpost"] [data-kpi="connector-error-rate"]'),
      '0.0 %',
    );
    // As of now: two requests under two levels, one past its SLA; work due; open cases by type and age.
    assert.deepEqual(await page.locator('[data-level="manager"] td').allInnerTexts(), [
      'manager',
      '1',
      '1',
      '2 h 30 min',
    ]);
    assert.deepEqual(await page.locator('[data-level="finance"] td').allInnerTexts(), [
      'finance',
      '1',
      '0',
      '1 h 30 min',
    ]);
    // Three label prints since T + 5 h, and the manager request's run: its deadline passed then and no worker has looked.
    assert.equal(await text('[data-kpi="queue-depth"]'), '4');
    assert.equal(await text('[data-kpi="queue-oldest"]'), '30 min 0 s');
    assert.deepEqual(
      [await text('[data-kpi="queue-queued"]'), await text('[data-kpi="queue-notifications"]')],
      ['0', '1'],
    );
    assert.deepEqual(
      (await page.locator('[data-exception-type="raised"] td').allInnerTexts()).slice(1),
      ['1', '1', '0', '0', '2'],
    );
    assert.deepEqual(
      (await page.locator('[data-exception-type="check"] td').allInnerTexts()).slice(1),
      ['0', '0', '1', '0', '1'],
    );
    assert.equal(await text('[data-kpi="exceptions-open"]'), '3');
    // Each chart says what it shows.
    // The charts start at the first event (T), not 24 h ago: 22 buckets of 15 min up to now.
    // T to T + 15 min holds the runs of 1 to 4 min, the next the run of 10 min.
    const latencyChart = (await page
      .getByRole('img', { name: /^Order release latency per 15m/ })
      .getAttribute('aria-label'))!;
    assert.match(
      latencyChart,
      /p50: 2 min 30 s, 10 min 0 s, (—, ){19}—; p90: 3 min 42 s, 10 min 0 s, (—, ){19}—$/,
    );
    await page
      .getByRole('img', { name: 'odoo:odoo calls per 15m: succeeded and failed' })
      .waitFor();

    await page.getByLabel('Time range').selectOption('1h');
    await page.locator('[data-kpi="release-completed"]', { hasText: /^0 runs/ }).waitFor();
    assert.deepEqual(
      [await text('[data-kpi="release-p50"]'), await text('[data-kpi="release-p90"]')],
      ['—', '—'],
    );
    assert.deepEqual(
      await page
        .locator('[data-connector]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-connector'))),
      ['odoo:odoo'],
    );
    assert.equal(
      await text('[data-connector="odoo:odoo"] [data-kpi="connector-error-rate"]'),
      '100.0 %',
    );
    assert.equal(
      await text('[data-kpi="queue-depth"]'),
      '4',
      'the queue is as of now, whatever the range',
    );

    // A range of one's own: T to T + 15 min holds the four short runs (typed in the browser's local time).
    const local = (ms: number) =>
      page.evaluate(`(() => {
      const d = new Date(${ms}); const p = (n) => String(n).padStart(2, '0');
      return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
    })()`) as Promise<string>;
    await page.getByLabel('Time range').selectOption('custom');
    await page.getByText('Choose where the range starts and ends.').waitFor();
    assert.equal(
      await page.locator('[data-kpi="release-p50"]').count(),
      0,
      'no cards until both ends are given',
    );
    await page.getByLabel('From', { exact: true }).fill(await local(T));
    await page.getByLabel('to', { exact: true }).fill(await local(T + 15 * MINUTE));
    await page.locator('[data-kpi="release-completed"]', { hasText: /^4 runs/ }).waitFor();
    assert.deepEqual(
      [await text('[data-kpi="release-p50"]'), await text('[data-kpi="release-p90"]')],
      ['2 min 30 s', '3 min 42 s'],
    );
    await context.close();
  });
});
