/**
 * Invoice lines and the totals they imply. As recorded (o2c-10, ret-15, ret-18): a product
 * line's subtotal is qty x price x (1 - discount), the demo tax (id 1) is 15% rounded per
 * line, the move stores the sums, and its tax and payment-term lines carry them. A move
 * whose product lines are edited (ret-16: [2, id] and [1, id, {quantity}] through
 * invoice_line_ids) gets its lines and totals recomputed.
 */
import type { Env } from '../orm/env.ts';
import type { Row } from '../orm/store.ts';
import { roundHalfUp } from '../orm/wire.ts';

const TAX_RATE = 0.15;

export function moveLinesOf(env: Env, moveId: number, displayType?: string): number[] {
  return env.tx.ids('account.move.line').filter((id) => {
    const line = env.row('account.move.line', id);
    return (
      line?.move_id === moveId && (displayType === undefined || line.display_type === displayType)
    );
  });
}

/** Subtotal, tax and total of one product line. */
export function lineAmounts(line: Row): { subtotal: number; tax: number; total: number } {
  const subtotal = roundHalfUp(
    Number(line.quantity ?? 0) *
      Number(line.price_unit ?? 0) *
      (1 - Number(line.discount ?? 0) / 100),
    2,
  );
  const taxed = Array.isArray(line.tax_ids) && line.tax_ids.length > 0;
  const tax = taxed ? roundHalfUp(subtotal * TAX_RATE, 2) : 0;
  return { subtotal, tax, total: roundHalfUp(subtotal + tax, 2) };
}

/** Customer documents book revenue as a credit; refunds and vendor documents the other way. */
function sign(moveType: unknown): number {
  return moveType === 'out_invoice' || moveType === 'in_refund' ? -1 : 1;
}

/** Recomputes every product line's amounts, the tax and payment-term lines and the move totals. */
export async function recomputeMoveTotals(env: Env, moveId: number): Promise<void> {
  const sudo = env.sudo();
  const move = sudo.row('account.move', moveId);
  if (move === undefined) return;
  const direction = sign(move.move_type);
  let untaxed = 0;
  let tax = 0;
  for (const id of moveLinesOf(sudo, moveId, 'product')) {
    const amounts = lineAmounts(sudo.row('account.move.line', id) ?? {});
    untaxed += amounts.subtotal;
    tax += amounts.tax;
    sudo.tx.update('account.move.line', id, {
      price_subtotal: amounts.subtotal,
      price_total: amounts.total,
      balance: direction * amounts.subtotal,
    });
  }
  const total = roundHalfUp(untaxed + tax, 2);
  for (const id of moveLinesOf(sudo, moveId, 'tax'))
    sudo.tx.update('account.move.line', id, { balance: direction * roundHalfUp(tax, 2) });
  for (const id of moveLinesOf(sudo, moveId, 'payment_term'))
    sudo.tx.update('account.move.line', id, { balance: -direction * total });
  sudo.tx.update('account.move', moveId, {
    amount_untaxed: roundHalfUp(untaxed, 2),
    amount_tax: roundHalfUp(tax, 2),
    amount_total: total,
  });
}

/** Adds the tax and payment-term lines of a new move, then its totals. */
export async function addBalancingLines(env: Env, moveId: number): Promise<void> {
  const sudo = env.sudo();
  await sudo.create('account.move.line', {
    move_id: moveId,
    display_type: 'tax',
    name: 'Tax 15%',
    balance: 0,
  });
  await sudo.create('account.move.line', {
    move_id: moveId,
    display_type: 'payment_term',
    name: '',
    balance: 0,
  });
  await recomputeMoveTotals(sudo, moveId);
}
