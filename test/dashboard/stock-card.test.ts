import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { builtDashboard, launchBrowser, signIn, startInstance, type Instance } from './support.ts';

/**
 * The Overview's stock card in Debian's Chromium, against what the store holds: two orders
 * held for stock (one released since), and two purchase receipts recorded by the
 * replenishment pack, one by its planned date and one late.
 */
describe('stock and replenishment card in the browser', () => {
  let dist: string;
  let x: Instance;
  let browser: Browser;

  before(async () => {
    dist = await builtDashboard();
    x = await startInstance(dist);
    browser = await launchBrowser();
    const hold = (order: number) =>
      x.services.exceptions.openCase(
        {
          type: 'raised',
          title: `Order S000${order} held: stock is not reserved for every line`,
          subject: { model: 'sale.order', id: order, name: `S000${order}` },
          owner: { team: 'warehouse' },
          code: 'STOCK_HOLD',
          key: `stock-hold:${order}`,
        },
        { actor: 'engine' },
      );
    await hold(41);
    const released = await hold(42);
    await x.services.exceptions.resolve(released.case.id, 'fixed_in_source', null, {
      actor: 'engine',
    });
    const odoo = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    // The Overview's ranges start at the first event: the receipts come after one.
    await x.engine.accept({
      source: 'crossdock',
      type: 'test.started',
      key: 'started',
      payload: {},
    });
    const now = Date.now();
    for (const [receipt, lateMs] of [
      [31, -3_600_000],
      [32, 7_200_000],
    ] as const)
      await x.engine.accept({
        source: 'crossdock',
        type: 'purchase.received',
        key: `purchase.received:${receipt}`,
        payload: {
          purchase_id: receipt - 20,
          receipt_id: receipt,
          confirmed_at: odoo(now - 86_000_000),
          planned_at: odoo(now - lateMs),
          received_at: odoo(now),
        },
      });
  });
  after(async () => {
    await browser?.close();
    await x?.close();
  });

  test('a viewer sees the reservation failures, the held orders and the receipts on time', async () => {
    const { context, page } = await signIn(browser, x.base, x.users.viewer);
    await page.goto('/app/');
    const card = page.getByRole('article', { name: 'Stock and replenishment' });
    await card.waitFor();
    const text = (kpi: string) => card.locator(`[data-kpi="${kpi}"]`).innerText();
    assert.equal(await text('reservation-failures'), '2');
    assert.equal(await text('held-for-stock'), '1');
    // Neither receipt belongs to a replenishment run of this Crossdock: no cycle to show.
    assert.equal(await text('replenishment-cycle'), 'no replenishment received in the range');
    // The receipts' on-time rate is the suppliers' figure, named for what it counts.
    const suppliers = page.getByRole('article', { name: 'Suppliers' });
    assert.equal(
      await suppliers.getByText('Receipts on time (received in range)').count(),
      1,
      'named for the receipts it counts',
    );
    assert.equal(
      await suppliers.locator('[data-kpi="supplier-on-time"]').innerText(),
      '50.0 % (1 of 2)',
    );
    await context.close();
  });
});
