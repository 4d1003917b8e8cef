/**
 * stock.picking.button_validate as Odoo 17 (with stock_sms installed) answers it, checks
 * in this order:
 * 1. nothing reserved nor encoded (also a done picking): UserError;
 * 2. quantities below the demand: the stock.backorder.confirmation wizard action;
 * 3. first delivery of the company to a partner with a phone: the confirm.stock.sms
 *    wizard action (already created, nothing validated);
 * 4. otherwise the transfer is done and the answer is true.
 * Context `skip_backorder`, `cancel_backorder` and `skip_sms` are what the wizards pass.
 */
import { py } from '../errors.ts';
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import {
  assignPicking,
  executeMove,
  movesOf,
  syncPickingState,
  unreserveMove,
} from './stock-moves.ts';

type MoveRow = Row & { id: number };

function activeMoves(env: Env, pickingId: number): MoveRow[] {
  return movesOf(env, pickingId).filter((move) => move.state !== 'done' && move.state !== 'cancel');
}

/** When some moves are picked only those are processed; otherwise every move with a quantity. */
function processedMoves(moves: MoveRow[]): MoveRow[] {
  const picked = moves.filter((move) => move.picked === true);
  return picked.length > 0 ? picked : moves.filter((move) => Number(move.quantity ?? 0) > 0);
}

function needsBackorder(env: Env, pickingId: number): boolean {
  const moves = activeMoves(env, pickingId);
  const processed = processedMoves(moves);
  return (
    processed.length < moves.length ||
    processed.some((move) => Number(move.quantity ?? 0) < Number(move.product_uom_qty ?? 0))
  );
}

function needsSmsWarning(env: Env, pickingId: number): boolean {
  const picking = env.row('stock.picking', pickingId) ?? {};
  if (env.value('stock.picking', pickingId, 'picking_type_code') !== 'outgoing') return false;
  const partner =
    typeof picking.partner_id === 'number' ? env.row('res.partner', picking.partner_id) : undefined;
  if (partner === undefined || (!partner.phone && !partner.mobile)) return false;
  return (
    env.row('res.company', Number(picking.company_id ?? 1))?.has_received_warning_stock_sms !== true
  );
}

function backorderAction(ids: number[], pickings: number[]): Record<string, unknown> {
  return {
    name: 'Create Backorder?',
    type: 'ir.actions.act_window',
    view_mode: 'form',
    res_model: 'stock.backorder.confirmation',
    views: [[848, 'form']],
    view_id: 848,
    target: 'new',
    context: {
      button_validate_picking_ids: ids,
      default_show_transfers: false,
      default_pick_ids: pickings.map((id) => [4, id]),
    },
  };
}

async function smsAction(
  env: Env,
  ids: number[],
  pickings: number[],
): Promise<Record<string, unknown>> {
  const wizard = await env.sudo().create('confirm.stock.sms', { pick_ids: [[6, 0, pickings]] });
  return {
    name: 'SMS',
    type: 'ir.actions.act_window',
    view_mode: 'form',
    res_model: 'confirm.stock.sms',
    views: [[1107, 'form']],
    view_id: 1107,
    target: 'new',
    res_id: wizard,
    context: { button_validate_picking_ids: ids },
  };
}

export async function buttonValidate(env: Env, ids: number[]): Promise<unknown> {
  for (const id of ids) {
    if (!activeMoves(env, id).some((move) => Number(move.quantity ?? 0) > 0)) {
      throw py.userError(
        'You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.',
      );
    }
  }
  if (env.context.skip_backorder !== true) {
    const backorders = ids.filter((id) => needsBackorder(env, id));
    if (backorders.length > 0) return backorderAction(ids, backorders);
  }
  if (env.context.skip_sms !== true) {
    const warned = ids.filter((id) => needsSmsWarning(env, id));
    if (warned.length > 0) return smsAction(env, ids, warned);
  }
  for (const id of ids) await processPicking(env, id, env.context.cancel_backorder === true);
  return true;
}

/** Splits a partly processed move: the remainder becomes a new move of the same picking. */
async function splitRemainder(env: Env, move: MoveRow): Promise<number> {
  const remainder = Number(move.product_uom_qty ?? 0) - Number(move.quantity ?? 0);
  const internal = env.sudo().withContext({ stock_internal_write: true });
  await internal.write('stock.move', [move.id], { product_uom_qty: move.quantity });
  return internal.create('stock.move', {
    name: move.name ?? false,
    origin: move.origin ?? false,
    picking_id: move.picking_id,
    product_id: move.product_id,
    product_uom_qty: remainder,
    quantity: 0,
    picked: false,
    state: 'confirmed',
    location_id: move.location_id,
    location_dest_id: move.location_dest_id,
    sale_line_id: move.sale_line_id ?? false,
    date: move.date ?? false,
    purchase_line_id: move.purchase_line_id ?? false,
    date_deadline: move.date_deadline ?? false,
  });
}

async function moveToBackorder(env: Env, pickingId: number, moveIds: number[]): Promise<void> {
  const picking = env.row('stock.picking', pickingId) ?? {};
  const sudo = env.sudo();
  const backorder = await sudo.create('stock.picking', {
    picking_type_id: picking.picking_type_id,
    partner_id: picking.partner_id ?? false,
    origin: picking.origin ?? false,
    location_id: picking.location_id,
    location_dest_id: picking.location_dest_id,
    sale_id: picking.sale_id ?? false,
    purchase_id: picking.purchase_id ?? false,
    scheduled_date: picking.scheduled_date ?? false,
    date_deadline: picking.date_deadline ?? false,
    carrier_id: picking.carrier_id ?? false,
    backorder_id: pickingId,
  });
  const internal = sudo.withContext({ stock_internal_write: true });
  await internal.write('stock.move', moveIds, { picking_id: backorder });
  const lines = env.tx
    .ids('stock.move.line')
    .filter((id) => moveIds.includes(Number(env.row('stock.move.line', id)?.move_id)));
  if (lines.length > 0) await internal.write('stock.move.line', lines, { picking_id: backorder });
  await assignPicking(sudo, backorder);
}

async function processPicking(
  env: Env,
  pickingId: number,
  cancelBackorder: boolean,
): Promise<void> {
  const moves = activeMoves(env, pickingId);
  const processed = processedMoves(moves);
  const leftovers = moves.filter((move) => !processed.includes(move)).map((move) => move.id);
  for (const move of processed) {
    if (Number(move.quantity ?? 0) < Number(move.product_uom_qty ?? 0))
      leftovers.push(await splitRemainder(env, move));
  }
  for (const move of processed)
    await executeMove(env, { ...(env.row('stock.move', move.id) ?? {}), id: move.id });
  if (leftovers.length > 0) {
    if (cancelBackorder) {
      for (const id of leftovers)
        await unreserveMove(env, { ...(env.row('stock.move', id) ?? {}), id });
      await env
        .sudo()
        .withContext({ stock_internal_write: true })
        .write('stock.move', leftovers, { state: 'cancel' });
    } else {
      await moveToBackorder(env, pickingId, leftovers);
    }
  }
  // State first, date_done after: the "done" webhook carries date_done false, as recorded.
  await syncPickingState(env.sudo(), pickingId);
  await env.sudo().write('stock.picking', [pickingId], { date_done: env.nowString() });
}
