/**
 * Business flows beyond the recorded ones, through the client: cancelling the backorder
 * of a partial delivery, and cancelling a confirmed order (picking states draft ->
 * confirmed/assigned -> done/cancel, reservations given back).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, createOdooClient, type OdooClient } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { profileFor } from './support/clients.ts';

describe('simulated stock flows', () => {
  let sim: OdooSimulator;
  let odoo: OdooClient;
  before(async () => {
    sim = await startOdooSimulator();
    odoo = createOdooClient(profileFor(sim, 'jsonrpc'));
  });
  after(() => sim.close());

  async function confirmedDelivery(quantity: number): Promise<{ order: number; picking: number }> {
    const order = await odoo.call<number>('sale.order', 'create', [
      {
        partner_id: 12,
        order_line: [Command.create({ product_id: 32, product_uom_qty: quantity })],
      },
    ]);
    await odoo.call('sale.order', 'action_confirm', [[order]]);
    const [picking] = await odoo.call<number[]>('stock.picking', 'search', [
      [['sale_id', '=', order]],
    ]);
    assert.ok(picking !== undefined);
    return { order, picking };
  }

  const reservedDrawers = () =>
    Number(
      sim.db.searchRead('stock.quant', [['id', '=', 13]], ['reserved_quantity'])[0]
        ?.reserved_quantity,
    );

  test('partial delivery without backorder: the rest of the move is cancelled', async () => {
    const { picking } = await confirmedDelivery(5);
    const [move] = await odoo.call<number[]>('stock.move', 'search', [
      [['picking_id', '=', picking]],
    ]);
    await odoo.call('stock.move', 'write', [[move], { quantity: 3, picked: true }]);
    const action = await odoo.call<{ res_model: string; context: Record<string, unknown> }>(
      'stock.picking',
      'button_validate',
      [[picking]],
      {},
      { skip_sms: true },
    );
    assert.equal(action.res_model, 'stock.backorder.confirmation');
    const wizard = await odoo.call<number>(
      'stock.backorder.confirmation',
      'create',
      [{}],
      {},
      action.context,
    );
    // The re-run validation would ask the SMS question too (first delivery of this company).
    assert.equal(
      await odoo.call(
        'stock.backorder.confirmation',
        'process_cancel_backorder',
        [[wizard]],
        {},
        { ...action.context, skip_sms: true },
      ),
      true,
    );
    const moves = await odoo.call<Array<Record<string, unknown>>>(
      'stock.move',
      'search_read',
      [[['sale_line_id.order_id.picking_ids', 'in', [picking]]]],
      { fields: ['state', 'quantity', 'product_uom_qty'], order: 'id' },
    );
    assert.deepEqual(
      moves.map((row) => [row.state, row.quantity, row.product_uom_qty]),
      [
        ['done', 3, 3],
        ['cancel', 0, 2],
      ],
    );
    const [state] = await odoo.call<Array<Record<string, unknown>>>(
      'stock.picking',
      'read',
      [[picking]],
      { fields: ['state', 'backorder_ids'] },
    );
    assert.deepEqual([state?.state, state?.backorder_ids], ['done', []]);
  });

  test('cancelling a confirmed order cancels its delivery and gives the reservation back', async () => {
    const before = reservedDrawers();
    const { order, picking } = await confirmedDelivery(4);
    assert.equal(reservedDrawers(), before + 4);
    assert.equal(await odoo.call('sale.order', 'action_cancel', [[order]]), true);
    const [row] = await odoo.call<Array<Record<string, unknown>>>(
      'stock.picking',
      'read',
      [[picking]],
      { fields: ['state'] },
    );
    assert.equal(row?.state, 'cancel');
    assert.equal(reservedDrawers(), before);
    const [saleOrder] = await odoo.call<Array<Record<string, unknown>>>(
      'sale.order',
      'read',
      [[order]],
      { fields: ['state', 'delivery_status'] },
    );
    assert.deepEqual([saleOrder?.state, saleOrder?.delivery_status], ['cancel', false]);
  });
});
