/**
 * Reservation and execution of stock moves, and the picking state they imply.
 *
 * Invariant: for every quant, reserved_quantity is the sum of what not-done moves
 * reserved from it (reservation never exceeds quantity). Quant writes go through the ORM
 * so automation rules on stock.quant see them (a webhook per changed quant at
 * validation; reservation does not change `quantity`, so it sends none).
 */
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function rowsOf(env: Env, model: string, ids: readonly number[]): Array<Row & { id: number }> {
  return ids.map((id) => ({ ...(env.row(model, id) ?? {}), id }));
}

export function movesOf(env: Env, pickingId: number): Array<Row & { id: number }> {
  const ids = env.tx
    .ids('stock.move')
    .filter((id) => env.row('stock.move', id)?.picking_id === pickingId);
  return rowsOf(env, 'stock.move', ids);
}

function quantsFor(env: Env, product: unknown, location: unknown): Array<Row & { id: number }> {
  const ids = env.tx.ids('stock.quant').filter((id) => {
    const quant = env.row('stock.quant', id);
    return quant?.product_id === product && quant?.location_id === location;
  });
  return rowsOf(env, 'stock.quant', ids);
}

/** Moves written by this module bypass adjustReservation: they keep quants in step themselves. */
function internal(env: Env): Env {
  return env.sudo().withContext({ stock_internal_write: true });
}

/** Reserves what is available for one move; creates its move lines. */
export async function reserveMove(callerEnv: Env, move: Row & { id: number }): Promise<void> {
  const env = internal(callerEnv);
  if (move.state === 'done' || move.state === 'cancel') return;
  if (bypassesReservation(env, move.location_id)) {
    // Vendor stock is not tracked: a receipt move is ready at once for its whole demand.
    await env.create('stock.move.line', {
      move_id: move.id,
      picking_id: move.picking_id ?? false,
      product_id: move.product_id,
      lot_id: false,
      quantity: num(move.product_uom_qty),
      location_id: move.location_id,
      location_dest_id: move.location_dest_id,
      state: 'assigned',
    });
    await env.write('stock.move', [move.id], {
      quantity: num(move.product_uom_qty),
      state: 'assigned',
    });
    return;
  }
  let missing = num(move.product_uom_qty) - num(move.quantity);
  for (const quant of quantsFor(env, move.product_id, move.location_id)) {
    if (missing <= 0) break;
    const free = num(quant.quantity) - num(quant.reserved_quantity);
    if (free <= 0) continue;
    const taken = Math.min(free, missing);
    missing -= taken;
    await env.write('stock.quant', [quant.id], {
      reserved_quantity: num(quant.reserved_quantity) + taken,
    });
    await env.create('stock.move.line', {
      move_id: move.id,
      picking_id: move.picking_id ?? false,
      product_id: move.product_id,
      lot_id: quant.lot_id ?? false,
      quantity: taken,
      location_id: move.location_id,
      location_dest_id: move.location_dest_id,
      state: 'assigned',
    });
  }
  const reserved = num(move.product_uom_qty) - Math.max(missing, 0);
  const state =
    reserved >= num(move.product_uom_qty)
      ? 'assigned'
      : reserved > 0
        ? 'partially_available'
        : 'confirmed';
  await env.write('stock.move', [move.id], { quantity: reserved, state });
}

/** Vendor locations hold no quants: nothing is reserved nor taken from them. */
export function bypassesReservation(env: Env, location: unknown): boolean {
  return (
    typeof location === 'number' && env.value('stock.location', location, 'usage') === 'supplier'
  );
}

/** Gives back the reservation of a move (do_unreserve). */
export async function unreserveMove(callerEnv: Env, move: Row & { id: number }): Promise<void> {
  const env = internal(callerEnv);
  if (move.state === 'done' || move.state === 'cancel') return;
  await releaseQuants(env, move, num(move.quantity));
  const lines = env.tx
    .ids('stock.move.line')
    .filter((id) => env.row('stock.move.line', id)?.move_id === move.id);
  if (lines.length > 0) await env.unlink('stock.move.line', lines);
  await env.write('stock.move', [move.id], { quantity: 0, picked: false, state: 'confirmed' });
}

async function releaseQuants(env: Env, move: Row, amount: number): Promise<void> {
  let left = amount;
  for (const quant of quantsFor(env, move.product_id, move.location_id)) {
    if (left <= 0) break;
    const released = Math.min(num(quant.reserved_quantity), left);
    if (released <= 0) continue;
    left -= released;
    await env.write('stock.quant', [quant.id], {
      reserved_quantity: num(quant.reserved_quantity) - released,
    });
  }
}

/** Moves `quantity` units from the source to the destination location. */
export async function executeMove(callerEnv: Env, move: Row & { id: number }): Promise<void> {
  const env = internal(callerEnv);
  const quantity = num(move.quantity);
  let left = quantity;
  let reservedLeft = quantity;
  const sources = bypassesReservation(env, move.location_id)
    ? []
    : quantsFor(env, move.product_id, move.location_id);
  for (const [index, quant] of sources.entries()) {
    if (left <= 0) break;
    const isLast = index === sources.length - 1;
    const taken = isLast ? left : Math.min(num(quant.quantity), left);
    if (taken <= 0) continue;
    const unreserved = Math.min(num(quant.reserved_quantity), reservedLeft);
    left -= taken;
    reservedLeft -= unreserved;
    await env.write('stock.quant', [quant.id], {
      quantity: num(quant.quantity) - taken,
      reserved_quantity: num(quant.reserved_quantity) - unreserved,
    });
  }
  const [destination] = quantsFor(env, move.product_id, move.location_dest_id);
  if (destination === undefined) {
    await env.create('stock.quant', {
      product_id: move.product_id,
      location_id: move.location_dest_id,
      quantity,
    });
  } else {
    await env.write('stock.quant', [destination.id], {
      quantity: num(destination.quantity) + quantity,
    });
  }
  const lines = env.tx
    .ids('stock.move.line')
    .filter((id) => env.row('stock.move.line', id)?.move_id === move.id);
  if (lines.length > 0) await env.write('stock.move.line', lines, { state: 'done', picked: true });
  await env.write('stock.move', [move.id], { state: 'done', picked: true });
}

/** Odoo's stock.picking state from its moves (move_type "direct": ready when anything is). */
export function pickingStateFromMoves(moves: ReadonlyArray<Row>): string {
  if (moves.length === 0) return 'draft';
  const states = moves.map((move) => String(move.state));
  if (states.every((state) => state === 'cancel')) return 'cancel';
  if (states.every((state) => state === 'done' || state === 'cancel')) return 'done';
  if (states.some((state) => state === 'draft')) return 'draft';
  if (states.some((state) => state === 'assigned' || state === 'partially_available'))
    return 'assigned';
  return 'confirmed';
}

/** Writes the picking state implied by its moves; on_state_set rules fire on the change. */
export async function syncPickingState(env: Env, pickingId: number): Promise<void> {
  const state = pickingStateFromMoves(movesOf(env, pickingId));
  if (env.row('stock.picking', pickingId)?.state !== state)
    await env.write('stock.picking', [pickingId], { state });
}

/**
 * A user writing `quantity` on a reserved move (flow-b-05: 5 -> 4) changes what it holds:
 * the difference is released from (or taken on) the source quants.
 */
export function adjustReservation(env: Env, ids: number[], vals: Record<string, unknown>): void {
  if (env.context.stock_internal_write === true || typeof vals.quantity !== 'number') return;
  for (const id of ids) {
    const move = env.row('stock.move', id);
    if (move === undefined || move.state === 'done') continue;
    let delta = (vals.quantity as number) - num(move.quantity);
    for (const quant of quantsFor(env, move.product_id, move.location_id)) {
      if (delta === 0) break;
      const change =
        delta < 0
          ? Math.max(delta, -num(quant.reserved_quantity))
          : Math.min(delta, num(quant.quantity) - num(quant.reserved_quantity));
      delta -= change;
      env.tx.update('stock.quant', quant.id, {
        reserved_quantity: num(quant.reserved_quantity) + change,
      });
    }
  }
}

export async function confirmPicking(env: Env, id: number): Promise<void> {
  const drafts = movesOf(env, id)
    .filter((move) => move.state === 'draft')
    .map((move) => move.id);
  if (drafts.length > 0) await internal(env).write('stock.move', drafts, { state: 'confirmed' });
  await syncPickingState(env, id);
}

export async function assignPicking(env: Env, id: number): Promise<void> {
  for (const move of movesOf(env, id)) await reserveMove(env, move);
  await syncPickingState(env, id);
}

/** action_cancel: releases what not-done moves reserved and cancels them. */
export async function cancelPicking(env: Env, id: number): Promise<void> {
  for (const move of movesOf(env, id).filter(
    (candidate) => candidate.state !== 'done' && candidate.state !== 'cancel',
  )) {
    await unreserveMove(env, move);
    await internal(env).write('stock.move', [move.id], { state: 'cancel' });
  }
  await syncPickingState(env, id);
}
