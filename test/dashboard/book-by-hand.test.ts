import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { eventually, packHarness, type PackHarness } from '../packs/support.ts';
import { accessibilityProblems } from './axe.ts';
import { builtDashboard, launchBrowser, PASSWORD, signIn } from './support.ts';

/**
 * Book by hand in Debian's Chromium, on the demo system (the dispatch pack on the Odoo and
 * carrier simulators): a delivery every carrier refused shows its case with a "Book by hand"
 * form; a malformed tracking reference is refused next to its field; a valid booking
 * resolves the case and reaches the delivery in Odoo.
 */
describe('book by hand in the browser', () => {
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

  test('the form asks for the carrier and tracking reference, shows a refusal at its field, and resolves the case', async () => {
    h.carriers.faults.failAlways('euroline', { kind: 'reject', reason: 'depot closed' }, 'book');
    h.carriers.faults.failAlways('cargoplus', { kind: 'reject', reason: 'no capacity' }, 'book');
    const order = await h.placeOrder('Atelier', [['Archive Box', 2]]);
    const run = await h
      .runFor('dispatch', order.id, ['completed', 'failed'])
      .finally(() => h.carriers.faults.clear());
    assert.equal((run.error as { code: string }).code, 'CARRIER_ALL_FAILED');

    const { context, page } = await signIn(browser, h.instance.url!, OPERATOR);
    await page.goto('/app/exceptions');
    // The root-cause group's bulk control offers what a bulk request can do, retry the failed
    // runs; book by hand needs each parcel's own tracking reference, so only each case offers it.
    const group = page
      .getByRole('list', { name: 'Root-cause groups' })
      .getByRole('listitem')
      .filter({ hasText: 'CARRIER_ALL_FAILED' });
    await group.getByRole('button', { name: /^Retry all \d+$/ }).waitFor();
    assert.deepEqual(
      (await group.getByRole('button').allInnerTexts()).filter((b) => !b.includes('×')),
      ['Retry all 1'],
    );
    await page
      .locator('[data-case]')
      .filter({ hasText: 'CARRIER_ALL_FAILED' })
      .getByRole('link')
      .first()
      .click();
    const detail = page.locator('[data-case-detail]');
    await detail.getByText('Failed step: book').waitFor();
    await detail.getByText('Book by hand', { exact: true }).first().click();
    const form = detail.getByRole('form', { name: 'Book by hand' });
    await form.waitFor();
    assert.deepEqual(await form.locator('label').allInnerTexts(), [
      'Carrier',
      'Tracking reference',
      'Note (optional)',
    ]);
    assert.deepEqual(
      await form
        .locator('datalist option')
        .evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
      h.carriers.profiles.map((p) => p.code),
      'the configured carriers are offered',
    );

    await form.getByLabel('Carrier').fill('euroline');
    await form.getByLabel('Tracking reference').fill('EL 4000 12');
    await form.getByRole('button', { name: 'Book by hand' }).click();
    const ref = form.getByLabel('Tracking reference');
    await form.locator('[aria-invalid="true"]').waitFor();
    assert.equal(await ref.getAttribute('aria-invalid'), 'true');
    const describedBy = (await ref.getAttribute('aria-describedby'))!;
    assert.match(
      await page.locator(`[id="${describedBy}"]`).innerText(),
      /^Tracking reference must be as the carrier gave it/,
      'the message is next to its field',
    );
    assert.equal(await form.getByLabel('Carrier').getAttribute('aria-invalid'), null);
    assert.deepEqual(
      await accessibilityProblems(page),
      [],
      'accessibility of the form and its error',
    );
    assert.equal(
      (await h.crossdock.services.exceptions.list({ workflowId: 'dispatch', status: 'open' })).cases
        .length,
      1,
      'nothing was taken',
    );

    await ref.fill('EL4000001234');
    await form.getByLabel('Note (optional)').fill('booked on the Euroline portal');
    await form.getByRole('button', { name: 'Book by hand' }).click();
    await page
      .locator('[data-case-detail][data-case-status="resolved"]')
      .waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-case-detail]').innerText(), /handled_manually/);
    assert.match(
      await page.locator('[data-history="action"]').innerText(),
      /olga\.ops@acme\.test chose book by hand: euroline, tracking EL4000001234, sent to run \d+\s+booked on the Euroline portal$/,
    );
    assert.deepEqual(await accessibilityProblems(page), [], 'accessibility of the resolved case');
    const picking = await eventually('the delivery carries the reference', async () => {
      const [p] = await h.rpc<{ carrier_tracking_ref: string | false }[]>(
        'stock.picking',
        'search_read',
        [
          [
            ['sale_id', '=', order.id],
            ['picking_type_code', '=', 'outgoing'],
          ],
        ],
        { fields: ['carrier_tracking_ref'] },
      );
      return p?.carrier_tracking_ref === 'EL4000001234' ? p : undefined;
    });
    assert.equal(picking.carrier_tracking_ref, 'EL4000001234');
    await context.close();
  });
});
