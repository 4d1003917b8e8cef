/**
 * The return wizard (stock.return.picking) as recorded (ret-01..08):
 * - default_get fills only picking_id, from the context's active_id;
 * - create checks the picking is done ("You may only return Done pickings.", after the id
 *   is taken, as the lab's next wizard id shows) and computes the lines: one per done move,
 *   quantity = the moved quantity less what its returns already took (ret-21 for a
 *   receipt), to_refund true;
 * - lines are changed through the wizard with [1, line_id, {quantity}] commands; the
 *   quantity is kept at the unit of measure's precision (2 digits);
 * - create_returns makes the return picking: the opposite operation type of the same
 *   warehouse (a customer return is a Receipt, a return to the vendor a Delivery Order that
 *   keeps purchase_id, ret-24), locations swapped, every line at 0 refused ("Please specify
 *   at least one non-zero quantity.", as Odoo 17's _create_returns), origin "Return of
 *   <name>", return_id = the picking, one move per line with a quantity (lines at 0 are
 *   skipped) carrying origin_returned_move_id, to_refund and the sale/purchase line; it is
 *   confirmed and reserved, and the answer is a small act_window on it.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import { roundHalfUp } from '../orm/wire.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel } from './define.ts';
import { assignPicking, confirmPicking, movesOf } from './stock-moves.ts';

const OPPOSITE: Readonly<Record<string, string>> = { outgoing: 'incoming', incoming: 'outgoing' };

async function computeLines(env: Env, wizardId: number): Promise<void> {
  const wizard = env.row('stock.return.picking', wizardId) ?? {};
  const pickingId = Number(wizard.picking_id);
  if (env.row('stock.picking', pickingId)?.state !== 'done')
    throw py.userError('You may only return Done pickings.');
  for (const move of movesOf(env, pickingId).filter((candidate) => candidate.state === 'done')) {
    await env.create('stock.return.picking.line', {
      wizard_id: wizardId,
      product_id: move.product_id,
      quantity: returnable(env, move),
      uom_id: move.product_uom ?? 1,
      to_refund: true,
      move_id: move.id,
    });
  }
}

/**
 * What is left to return of a done move: its quantity less what its returns took or hold
 * (done, or reserved), as Odoo 17's _prepare_stock_return_picking_line_vals_from_move
 * computes it; returns still draft or waiting do not count.
 */
function returnable(env: Env, move: Row): number {
  const taken = env.tx
    .ids('stock.move')
    .map((id) => env.row('stock.move', id) ?? {})
    .filter(
      (other) =>
        other.origin_returned_move_id === move.id &&
        ['done', 'assigned', 'partially_available'].includes(String(other.state)),
    )
    .reduce((total, other) => total + Number(other.quantity ?? 0), 0);
  return roundHalfUp(Number(move.quantity ?? 0) - taken, 2);
}

function returnTypeOf(env: Env, picking: Row): number | false {
  const type = env.row('stock.picking.type', Number(picking.picking_type_id)) ?? {};
  const wanted = OPPOSITE[String(type.code)];
  const found = env.tx.ids('stock.picking.type').find((id) => {
    const candidate = env.row('stock.picking.type', id);
    return (
      candidate !== undefined &&
      candidate.code === wanted &&
      candidate.warehouse_id === type.warehouse_id
    );
  });
  return found ?? false;
}

async function createReturn(
  env: Env,
  wizardId: number,
): Promise<{ picking: number; partner: unknown; type: number | false }> {
  const sudo = env.sudo();
  const wizard = sudo.row('stock.return.picking', wizardId) ?? {};
  const original = sudo.row('stock.picking', Number(wizard.picking_id)) ?? {};
  const lines = sudo.tx
    .ids('stock.return.picking.line')
    .map((id) => sudo.row('stock.return.picking.line', id) ?? {})
    .filter((line) => line.wizard_id === wizardId && Number(line.quantity ?? 0) > 0);
  if (lines.length === 0) throw py.userError('Please specify at least one non-zero quantity.');
  const type = returnTypeOf(sudo, original);
  const picking = await sudo.create('stock.picking', {
    picking_type_id: type,
    partner_id: original.partner_id ?? false,
    origin: `Return of ${String(original.name)}`,
    return_id: original.id,
    location_id: original.location_dest_id,
    location_dest_id: original.location_id,
    sale_id: original.sale_id ?? false,
    purchase_id: original.purchase_id ?? false,
    company_id: original.company_id ?? 1,
    move_type: 'direct',
  });
  for (const line of lines) {
    const move = sudo.row('stock.move', Number(line.move_id)) ?? {};
    await sudo.create('stock.move', {
      name: move.name ?? false,
      origin: `Return of ${String(original.name)}`,
      picking_id: picking,
      product_id: line.product_id,
      product_uom_qty: line.quantity,
      product_uom: line.uom_id ?? 1,
      quantity: 0,
      state: 'draft',
      location_id: original.location_dest_id,
      location_dest_id: original.location_id,
      sale_line_id: move.sale_line_id ?? false,
      purchase_line_id: move.purchase_line_id ?? false,
      origin_returned_move_id: move.id ?? false,
      to_refund: line.to_refund === true,
      company_id: move.company_id ?? 1,
    });
  }
  await confirmPicking(sudo, picking);
  await assignPicking(sudo, picking);
  return { picking, partner: original.partner_id ?? false, type };
}

async function createReturns(env: Env, { args }: MethodCall): Promise<Record<string, unknown>> {
  let made: { picking: number; partner: unknown; type: number | false } | undefined;
  for (const wizardId of toIds(args[0])) made = await createReturn(env, wizardId);
  return {
    name: 'Returned Picking',
    view_mode: 'form,tree,calendar',
    res_model: 'stock.picking',
    res_id: made?.picking ?? false,
    type: 'ir.actions.act_window',
    context: {
      ...env.context,
      default_partner_id: made?.partner ?? false,
      search_default_picking_type_id: made?.type ?? false,
      search_default_draft: false,
      search_default_assigned: false,
      search_default_confirmed: false,
      search_default_ready: false,
      search_default_planning_issues: false,
      search_default_available: false,
    },
  };
}

export const returnModels: ModelDef[] = [
  defineModel({
    name: 'stock.return.picking',
    description: 'Return Picking',
    order: 'id',
    transient: true,
    // Transient records without a name display as "model,id" (ret-03).
    displayName: (_env, row) => `stock.return.picking,${String(row.id)}`,
    fields: {
      picking_id: f.m2o('stock.picking', 'Picking', {
        default: (env) =>
          env.context.active_model === 'stock.picking' && typeof env.context.active_id === 'number'
            ? env.context.active_id
            : undefined,
      }),
      product_return_moves: f.o2m('stock.return.picking.line', 'wizard_id', 'Moves'),
      location_id: f.m2o('stock.location', 'Return Location'),
      original_location_id: f.m2o('stock.location', 'Original Location'),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
    hooks: { afterCreate: (env, id) => computeLines(env.sudo(), id) },
    methods: { create_returns: createReturns },
  }),
  defineModel({
    name: 'stock.return.picking.line',
    description: 'Return Picking Line',
    order: 'id',
    transient: true,
    displayName: (_env, row) => `stock.return.picking.line,${String(row.id)}`,
    // The quantity is a float of the "Product Unit of Measure" precision (2 digits): Odoo
    // stores what is written rounded to it, so 0.004 is 0 and the line is skipped.
    hooks: {
      afterWrite: (env, ids, vals) => {
        if (typeof vals.quantity !== 'number') return;
        for (const id of ids)
          env.tx.update('stock.return.picking.line', id, {
            quantity: roundHalfUp(vals.quantity, 2),
          });
      },
    },
    fields: {
      product_id: f.m2o('product.product', 'Product', { required: true }),
      quantity: f.float('Quantity'),
      uom_id: f.m2o('uom.uom', 'Unit of Measure'),
      to_refund: f.bool('Update quantities on SO/PO'),
      move_id: f.m2o('stock.move', 'Move'),
      wizard_id: f.m2o('stock.return.picking', 'Wizard'),
    },
  }),
];
