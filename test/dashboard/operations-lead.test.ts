import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { HOUR, startKpiInstance, type KpiInstance } from '../api/kpi-support.ts';
import { waitForRun } from '../support/engine.ts';
import {
  builtDashboard,
  launchBrowser,
  PASSWORD,
  signIn,
  startInstance,
  type Instance,
} from './support.ts';

/** What an operations lead reads first, in Debian's Chromium. One build of the dashboard serves both instances. */
let dist: string;
let browser: Browser;
before(async () => {
  dist = await builtDashboard();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * A system two and a half minutes old, on a clock the test moves: events arrive at exactly
 * RATE per second of that clock, and connectors fail at known shares. The clock starts at
 * the last full hour of the real time (T) so the browser's session cookie is not already
 * expired.
 */
describe('the Overview of a young system', () => {
  let h: KpiInstance;
  const T = Math.floor(Date.now() / HOUR) * HOUR;
  const RATE = 2;
  const FED_S = 150;
  before(async () => {
    h = await startKpiInstance({ start: new Date(T).toISOString(), dashboardDir: dist });
    for (const ok of [true, false])
      await waitForRun(h.engine, await h.accept('label.print', { ok }));
    await h.openCase('check', 'Replenishment overdue');
    await h.openCase('raised', 'Pallet short');
    const calls = {
      'carrier:swiftpost': [10, 3],
      'odoo:odoo': [20, 1],
      'carrier:parcelco': [4, 0],
    } as const;
    for (const [connector, [n, failed]] of Object.entries(calls))
      for (let i = 0; i < n; i++) h.stats.record(connector, i >= failed);
    await h.stats.flush();
    for (let i = 0; i < RATE * FED_S; i++) {
      await h.engine.accept({
        source: 'test',
        type: 'scanner.ping',
        key: `ping-${i}`,
        payload: { i },
      });
      h.clock.advance(1000 / RATE);
    }
  });
  after(() => h?.close());

  test('the API fits the range to the data and measures the live rate over the last minute', async () => {
    const k = await h.kpis('last=24h&fit=true');
    assert.equal(
      k.from,
      new Date(T).toISOString(),
      'the range starts at the first event, not 24 h ago',
    );
    assert.equal(k.requestedFrom, new Date(T + FED_S * 1000 - 24 * HOUR).toISOString());
    assert.equal(k.bucket, '10s');
    assert.equal(k.events.series.length, FED_S / 10);
    assert.equal(k.events.total, RATE * FED_S + 2);
    const [minute, five] = k.live.events;
    assert.deepEqual(
      [minute.windowMs, minute.measuredMs, five.windowMs, five.measuredMs],
      [60_000, 60_000, 300_000, FED_S * 1000],
    );
    assert.ok(
      Math.abs(minute.perSecond - RATE) <= 0.2 * RATE,
      `live rate ${minute.perSecond} against ${RATE} fed`,
    );
    assert.deepEqual(k.integration, {
      calls: 34,
      errors: 4,
      errorRate: 4 / 34,
      worst: { connector: 'carrier:swiftpost', calls: 10, errors: 3, errorRate: 0.3 },
    });
    assert.equal(
      k.exceptions.openedInRange,
      3,
      "two cases opened by hand and the failed label print's dead letter",
    );
    const unfitted = await h.kpis('last=24h');
    assert.deepEqual(
      [unfitted.bucket, unfitted.events.series.length, unfitted.from],
      ['15m', 96, unfitted.requestedFrom],
    );
  });

  test('the Events card reads the rate being fed, the charts span the data, the error card names the failing connector', async () => {
    const { context, page } = await signIn(browser, h.base, h.viewerEmail);
    const text = (kpi: string) => page.locator(`[data-kpi="${kpi}"]`).innerText();
    await page.locator('[data-kpi="events-live"]').waitFor();
    const live = Number(await text('events-live'));
    assert.ok(
      Math.abs(live - RATE) <= 0.2 * RATE,
      `the card reads ${live} events/s while ${RATE} are fed`,
    );
    assert.match(
      await page.locator('[aria-label="Events per second"]').innerText(),
      /now \(last 1 min\)/,
    );
    assert.match(await text('range'), /in buckets of 10s \(the first event came at/);
    const chart = (await page
      .getByRole('img', { name: /^Events per 10s: / })
      .getAttribute('aria-label'))!;
    const perBucket = chart.replace('Events per 10s: ', '').split(', ').map(Number);
    assert.equal(
      perBucket.length,
      FED_S / 10,
      'one bar per 10 s since the first event, not 96 quarters of a day',
    );
    assert.equal(
      perBucket.reduce((a, b) => a + b, 0),
      RATE * FED_S + 2,
    );

    assert.equal(await text('error-rate'), '50.0 %');
    assert.equal(await text('call-error-rate'), '11.8 %');
    assert.equal(await text('worst-connector'), 'carrier:swiftpost 30.0 % 3 of 10 calls failed');
    assert.equal(await text('cases-opened'), '3');
    const card = await page.locator('[aria-label="Errors"]').innerText();
    for (const label of ['Failed runs', 'Failed integration calls', 'Worst connector', 'New cases'])
      assert.ok(card.includes(label), `the error card labels ${label}`);
    await context.close();
  });
});

/** Three credit reviews wait for the credit-control group, which only the approver is in. */
describe('the approvals inbox opens on what the role can act on or oversee', () => {
  let x: Instance;
  before(async () => {
    x = await startInstance(dist);
    // An integrator too: every role that may read approvals opens the inbox below.
    await x.services.users.create({
      email: 'integrator@acme.test',
      role: 'integrator',
      password: PASSWORD,
    });
    x.users.integrator = 'integrator@acme.test';
    for (const i of [1, 2, 3])
      await x.send('credit.review', `so-${i}`, {
        id: 500 + i,
        name: `S0050${i}`,
        amount: 30_000 + i,
        requester: 'sales@acme.test',
      });
  });
  after(() => x?.close());

  const open = async (role: keyof Instance['users']) => {
    const { context, page } = await signIn(browser, x.base, x.users[role]);
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('link', { name: 'Approvals' })
      .click();
    await page
      .locator('[data-inbox-range]')
      .getByText('3 requests, soonest deadline first')
      .waitFor();
    const group = page.getByRole('group', { name: 'Which requests' });
    const pressed = await group.locator('button[aria-pressed="true"]').allInnerTexts();
    const offered = await group.getByRole('button').allInnerTexts();
    const note = await page.locator('[data-inbox-note]').count();
    await context.close();
    return { pressed, offered, note };
  };

  test('the approver opens on the requests waiting for them', async () => {
    assert.deepEqual(await open('approver'), {
      pressed: ['Waiting for me (3)'],
      offered: ['Waiting for me (3)', 'All pending (3)'],
      note: 0,
    });
  });

  test('an admin with nothing to decide opens on every pending request, told why', async () => {
    assert.deepEqual(await open('admin'), {
      pressed: ['All pending (3)'],
      offered: ['Waiting for me (0)', 'All pending (3)'],
      note: 1,
    });
  });

  for (const role of ['integrator', 'operator', 'viewer', 'auditor'] as const) {
    test(`${role}: oversees every pending request`, async () => {
      assert.deepEqual(await open(role), {
        pressed: ['All pending (3)'],
        offered: ['All pending (3)'],
        note: 0,
      });
    });
  }
});
