/**
 * Business flows beyond the recorded ones, through the client: cancelling the backorder
 * of a partial delivery, cancelling a confirmed order (picking states draft ->
 * confirmed/assigned -> done/cancel, reservations given back), a count created in inventory
 * mode for a product that has a quant, and a delivery created by hand with its moves.
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

  test('a count created in inventory mode for a product and location that have a quant is written on that quant, not on a second one', async () => {
    // The storage box (product 18) has quant 2 in WH/Stock (inv-01).
    const create = () =>
      odoo.call<number>(
        'stock.quant',
        'create',
        [{ product_id: 18, location_id: 8, inventory_quantity: 16 }],
        {},
        { inventory_mode: true },
      );
    assert.equal(await create(), 2);
    assert.equal(await create(), 2, 'the same count again finds the same quant');
    const quants = await odoo.call<Array<Record<string, unknown>>>(
      'stock.quant',
      'search_read',
      [
        [
          ['product_id', '=', 18],
          ['location_id', '=', 8],
        ],
      ],
      {
        fields: [
          'quantity',
          'inventory_quantity',
          'inventory_diff_quantity',
          'inventory_quantity_set',
        ],
      },
    );
    assert.equal(quants.length, 1);
    assert.deepEqual(
      [quants[0]?.inventory_quantity, quants[0]?.inventory_quantity_set],
      [16, true],
    );
    assert.equal(quants[0]?.inventory_diff_quantity, 16 - Number(quants[0]?.quantity));
    // Cleared as Odoo's Clear button does: nothing is applied.
    await odoo.call('stock.quant', 'write', [
      [2],
      { inventory_quantity: 0, inventory_quantity_set: false },
    ]);
    await odoo.call('stock.quant', 'action_apply_inventory', [[2]]);
    const [after] = await odoo.call<Array<Record<string, unknown>>>('stock.quant', 'read', [[2]], {
      fields: ['quantity', 'inventory_quantity_set'],
    });
    assert.deepEqual(
      [after?.quantity, after?.inventory_quantity_set],
      [quants[0]?.quantity, false],
    );
  });

  test('a delivery created with its moves is confirmed and reserved like one from a sale order', async () => {
    const picking = await odoo.call<number>('stock.picking', 'create', [
      {
        partner_id: 12,
        picking_type_id: 2,
        location_id: 8,
        location_dest_id: 5,
        origin: 'Reship of WH/OUT/00001',
        move_ids: [
          Command.create({
            name: 'Drawer',
            product_id: 32,
            product_uom_qty: 2,
            product_uom: 1,
            location_id: 8,
            location_dest_id: 5,
          }),
        ],
      },
    ]);
    await odoo.call('stock.picking', 'action_confirm', [[picking]]);
    await odoo.call('stock.picking', 'action_assign', [[picking]]);
    const [row] = await odoo.call<Array<Record<string, unknown>>>(
      'stock.picking',
      'read',
      [[picking]],
      {
        fields: ['name', 'state', 'picking_type_code', 'sale_id'],
      },
    );
    assert.match(String(row?.name), /^WH\/OUT\/\d{5}$/);
    assert.deepEqual(
      [row?.state, row?.picking_type_code, row?.sale_id],
      ['assigned', 'outgoing', false],
    );
  });
});
