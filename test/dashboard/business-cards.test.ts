import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { accessibilityProblems } from './axe.ts';
import { runBusinessMorning } from '../packs/business-traffic.ts';
import { packHarness, type PackHarness } from '../packs/support.ts';
import { builtDashboard, launchBrowser, PASSWORD, signIn } from './support.ts';

/**
 * The Overview's business cards in Debian's Chromium after a morning of the packs on the
 * simulators: invoice release time, the no-touch shares and the suppliers' two on-time
 * figures show what GET /api/v1/kpis answers for the same range, and axe-core finds no
 * serious accessibility problem on the screen.
 */
const FINANCE = 'controller@demo.crossdock.test';

/** As a reader sees a share: "87.5 %", "—" when nothing was decided. */
const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);
/** As a reader sees a time in whole seconds: "850 ms", "12 s", "3 min 4 s"; "—" when none. */
const seconds = (s: number | null) => {
  if (s === null) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  const whole = Math.floor(s);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
};

describe('business cards on the Overview', () => {
  let dist: string;
  let h: PackHarness;
  let browser: Browser;
  let token: string;

  before(async () => {
    dist = await builtDashboard();
    h = await packHarness({ dashboardDir: dist });
    const { users, tokens } = h.crossdock.services;
    const viewer = await users.create({ email: FINANCE, role: 'viewer', password: PASSWORD });
    token = (await tokens.create({ id: viewer.id, role: 'viewer' }, { name: 'kpi' }, null)).token;
    await runBusinessMorning(h, 12);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  test('a finance controller sees invoice release time, the no-touch shares and both supplier figures as the API gives them', async () => {
    const { context, page } = await signIn(browser, h.instance.url!, FINANCE);
    await page.goto('/app/');
    const invoices = page.getByRole('article', { name: 'Invoice release time' });
    await invoices.waitFor();
    // The Overview's default range: the last 24 hours, fitted to the first event.
    const response = await fetch(`${h.instance.url}/api/v1/kpis?last=24h&fit=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    const k = (await response.json()) as Record<string, any>;
    const text = (card: typeof invoices, kpi: string) =>
      card.locator(`[data-kpi="${kpi}"]`).innerText();

    const i = k.invoiceRelease;
    assert.ok(i.released > 0, 'invoices were released in the morning');
    assert.equal(await text(invoices, 'invoice-release-p50'), seconds(i.releaseSeconds.p50));
    assert.equal(await text(invoices, 'invoice-release-p90'), seconds(i.releaseSeconds.p90));
    assert.match(
      await text(invoices, 'invoice-release-count'),
      new RegExp(`over ${i.releaseSeconds.count} invoices? posted in the range`),
    );
    assert.equal(await text(invoices, 'invoice-no-touch'), percent(i.noTouchShare));
    assert.equal(await text(invoices, 'invoice-released'), String(i.released));
    assert.equal(await text(invoices, 'invoice-held'), String(i.held));

    const noTouch = page.getByRole('article', { name: 'No human touch' });
    const n = k.noTouch;
    assert.ok(n.orderRelease.decided > 0 && n.returns.accepted > 0 && n.vendorBills.decided > 0);
    assert.equal(await text(noTouch, 'no-touch-orders'), percent(n.orderRelease.share));
    assert.equal(
      await text(noTouch, 'no-touch-orders-detail'),
      `${n.orderRelease.auto} auto, ${n.orderRelease.approved} after approval, ${n.orderRelease.held} held, ${n.orderRelease.rejected} rejected`,
    );
    assert.equal(await text(noTouch, 'no-touch-bills'), percent(n.vendorBills.share));
    assert.equal(
      await text(noTouch, 'no-touch-bills-detail'),
      `${n.vendorBills.postedOnMatch} on a match, ${n.vendorBills.postedAfterApproval} after approval, ${n.vendorBills.rejected} rejected, ${n.vendorBills.held} held`,
    );
    assert.equal(await text(noTouch, 'no-touch-returns'), percent(n.returns.share));
    assert.equal(
      await text(noTouch, 'no-touch-returns-detail'),
      `${n.returns.acceptedNoTouch} of ${n.returns.accepted} accepted; ${n.returns.reviewed} reviewed, ${n.returns.refused} refused`,
    );
    assert.equal(await text(noTouch, 'no-touch-counts'), percent(n.inventoryCounts.share));
    assert.equal(
      await text(noTouch, 'no-touch-counts-detail'),
      `${n.inventoryCounts.atOnce} at once, ${n.inventoryCounts.afterApproval} after two approvals, ${n.inventoryCounts.rejected} rejected`,
    );

    // Two on-time figures, each named for what it counts.
    const suppliers = page.getByRole('article', { name: 'Suppliers' });
    for (const name of [
      'Receipts on time (received in range)',
      'Open receipts on schedule (last scan)',
    ])
      assert.equal(await suppliers.getByText(name, { exact: true }).count(), 1, name);
    const received = k.stock.supplierOnTime;
    assert.equal(
      await text(suppliers, 'supplier-on-time'),
      received.rate === null
        ? '—'
        : `${received.rate.toFixed(1)} % (${received.onTime} of ${received.receipts})`,
    );
    const s = k.supplier;
    const open = await text(suppliers, 'supplier-open-on-schedule');
    if (s.scannedAt === null) assert.equal(open, 'no scan in the range');
    else
      assert.ok(
        open.startsWith(
          `${percent(s.onTimeRate)} (${s.openReceipts - s.lateReceipts} of ${s.openReceipts} open;`,
        ),
        open,
      );
    assert.equal(
      await text(suppliers, 'supplier-delays'),
      `${s.delaysFound} found, ${s.delaysResolved} resolved in the range`,
    );

    assert.deepEqual(
      await accessibilityProblems(page),
      [],
      'accessibility problems on the Overview',
    );
    await context.close();
  });
});
