/**
 * The return to the vendor beyond the one the lab recorded (ret-20..29), as Odoo 17's code
 * does it: a second return wizard on the same receipt offers only what is left to return,
 * a wizard with every line at 0 (at the unit's precision) is refused, and a return without "Update quantities on
 * SO/PO" (to_refund) leaves the order's received quantity alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOdooClient, type OdooClient } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { profileFor } from './support/clients.ts';

describe('simulated return to the vendor', () => {
  let sim: OdooSimulator;
  let odoo: OdooClient;
  before(async () => {
    sim = await startOdooSimulator();
    odoo = createOdooClient(profileFor(sim, 'jsonrpc'));
  });
  after(() => sim.close());

  /** A purchase order of 10 of product 21 from vendor 9, confirmed and received. */
  async function received(): Promise<{ order: number; receipt: number; line: number }> {
    const order = await odoo.call<number>('purchase.order', 'create', [
      { partner_id: 9, order_line: [[0, 0, { product_id: 21, product_qty: 10 }]] },
    ]);
    await odoo.call('purchase.order', 'button_confirm', [[order]]);
    const [receipt] = await odoo.call<{ id: number }[]>(
      'stock.picking',
      'search_read',
      [[['purchase_id', '=', order]]],
      { fields: ['id'] },
    );
    assert.equal(await odoo.call('stock.picking', 'button_validate', [[receipt!.id]]), true);
    const [line] = await odoo.call<number[]>('purchase.order.line', 'search', [
      [['order_id', '=', order]],
    ]);
    return { order, receipt: receipt!.id, line: line! };
  }

  const context = (picking: number) => ({
    active_id: picking,
    active_ids: [picking],
    active_model: 'stock.picking',
  });
  /** A return wizard on the receipt: its id and its one line. */
  async function wizardOn(
    picking: number,
  ): Promise<{ id: number; line: number; quantity: number }> {
    const id = await odoo.call<number>(
      'stock.return.picking',
      'create',
      [{ picking_id: picking }],
      {},
      context(picking),
    );
    const [line] = await odoo.call<{ id: number; quantity: number }[]>(
      'stock.return.picking.line',
      'search_read',
      [[['wizard_id', '=', id]]],
      { fields: ['quantity'] },
    );
    return { id, line: line!.id, quantity: line!.quantity };
  }
  async function returnQuantity(
    picking: number,
    quantity: number,
    toRefund = true,
  ): Promise<number> {
    const wizard = await wizardOn(picking);
    await odoo.call(
      'stock.return.picking',
      'write',
      [
        [wizard.id],
        { product_return_moves: [[1, wizard.line, { quantity, to_refund: toRefund }]] },
      ],
      {},
      context(picking),
    );
    const action = await odoo.call<{ res_id: number }>(
      'stock.return.picking',
      'create_returns',
      [[wizard.id]],
      {},
      context(picking),
    );
    return action.res_id;
  }
  const qtyReceived = async (line: number) =>
    (
      await odoo.call<{ qty_received: number }[]>('purchase.order.line', 'read', [[line]], {
        fields: ['qty_received'],
      })
    )[0]!.qty_received;

  test('a second wizard on the receipt offers what is left once a return is reserved or done', async () => {
    const { receipt, line } = await received();
    assert.equal((await wizardOn(receipt)).quantity, 10);
    const first = await returnQuantity(receipt, 3);
    assert.equal((await wizardOn(receipt)).quantity, 7, 'a reserved return counts');
    await odoo.call('stock.picking', 'button_validate', [[first]], { context: { skip_sms: true } });
    assert.equal(await qtyReceived(line), 7);
    assert.equal((await wizardOn(receipt)).quantity, 7, 'a done return counts');
  });

  test('a wizard with every line at 0 is refused, and nothing is returned', async () => {
    const { receipt } = await received();
    await assert.rejects(returnQuantity(receipt, 0), {
      code: 'ODOO_USER_ERROR',
      message: /Please specify at least one non-zero quantity\./,
    });
    const returns = await odoo.call<number[]>('stock.picking', 'search', [
      [['return_id', '=', receipt]],
    ]);
    assert.deepEqual(returns, []);
  });

  test('a quantity below the unit precision is stored as 0: the wizard is refused as if every line were 0', async () => {
    const { receipt } = await received();
    await assert.rejects(returnQuantity(receipt, 0.004), {
      code: 'ODOO_USER_ERROR',
      message: /Please specify at least one non-zero quantity\./,
    });
    const back = await returnQuantity(receipt, 1.005);
    const [move] = await odoo.call<{ product_uom_qty: number }[]>(
      'stock.move',
      'search_read',
      [[['picking_id', '=', back]]],
      { fields: ['product_uom_qty'] },
    );
    assert.equal(move?.product_uom_qty, 1.01);
  });

  test('a return without "Update quantities on SO/PO" leaves the received quantity', async () => {
    const { receipt, line } = await received();
    const back = await returnQuantity(receipt, 4, false);
    await odoo.call('stock.picking', 'button_validate', [[back]], { context: { skip_sms: true } });
    assert.equal(await qtyReceived(line), 10);
  });
});
