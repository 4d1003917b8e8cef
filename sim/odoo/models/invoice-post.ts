/**
 * account.move action_post as recorded (o2c-11, ret-17): it returns false; a customer
 * invoice without invoice_date gets today's; the name comes from the journal's sequence
 * (INV/<year>/<number>, credit notes RINV/<year>/<number> on the same counter: the lab's
 * INV/2026/00005 was followed by RINV/2026/00006); a customer invoice's payment_reference
 * becomes its name. A credit note that reverses an invoice (reversed_entry_id) is reconciled
 * with it at once: the credit note is "paid", the invoice "partial" (or "paid" when nothing
 * is left) with its residual lowered by the credit note's total (ret-18).
 * Vendor bills and refunds (p2p-50..53) are refused without invoice_date ("The Bill/Refund
 * date is required ..."), are numbered from the Vendor Bills journal's monthly sequence
 * (BILL/<year>/<month>/<number>, the lab's BILL/2026/12/0002), and keep their
 * payment_reference.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import type { MethodCall } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { roundHalfUp } from '../orm/wire.ts';

const PREFIX: Readonly<Record<string, string>> = { out_invoice: 'INV', out_refund: 'RINV' };

const VENDOR_TYPES: ReadonlySet<unknown> = new Set(['in_invoice', 'in_refund']);

function postedName(env: Env, move: Row, invoiceDate: string): string {
  const year = invoiceDate.slice(0, 4);
  if (VENDOR_TYPES.has(move.move_type)) {
    // Refunds share the bills' counter, as credit notes share the invoices' (RINV after INV).
    const month = invoiceDate.slice(5, 7);
    const number = env.runtime.store.nextSequenceNumber(`account.move.BILL.${year}.${month}`);
    const prefix = move.move_type === 'in_refund' ? 'RBILL' : 'BILL';
    return `${prefix}/${year}/${month}/${String(number).padStart(4, '0')}`;
  }
  const number = env.runtime.store.nextSequenceNumber(`account.move.INV.${year}`);
  return `${PREFIX[String(move.move_type)] ?? 'INV'}/${year}/${String(number).padStart(5, '0')}`;
}

/** What is left to pay on a posted customer invoice once its posted credit notes are deducted. */
export function residualOf(env: Env, move: Row): number {
  if (move.payment_state === 'paid') return 0;
  const credited = env.tx
    .ids('account.move')
    .map((id) => env.row('account.move', id) ?? {})
    .filter((other) => other.reversed_entry_id === move.id && other.state === 'posted')
    .reduce((total, other) => total + Number(other.amount_total ?? 0), 0);
  return roundHalfUp(Number(move.amount_total ?? 0) - credited, 2);
}

async function reconcileWithReversed(
  env: Env,
  creditNoteId: number,
  invoiceId: number,
): Promise<void> {
  const sudo = env.sudo();
  await sudo.write('account.move', [creditNoteId], { payment_state: 'paid' });
  const invoice = sudo.row('account.move', invoiceId);
  if (invoice?.state !== 'posted') return;
  await sudo.write('account.move', [invoiceId], {
    payment_state: residualOf(sudo, invoice) <= 0 ? 'paid' : 'partial',
  });
}

export async function actionPost(env: Env, { args }: MethodCall): Promise<boolean> {
  const ids = toIds(args[0]);
  for (const id of ids) {
    const move = env.row('account.move', id) ?? {};
    // Not in a fixture: Odoo 17's AccountMove._post refuses a move that is not a draft.
    if (move.state === 'posted' || move.state === 'cancel')
      throw py.userError(`The entry ${String(move.name)} (id ${id}) must be in draft.`);
    if (VENDOR_TYPES.has(move.move_type) && typeof move.invoice_date !== 'string')
      throw py.userError('The Bill/Refund date is required to validate this document.');
  }
  for (const id of ids) {
    const move = env.row('account.move', id) ?? {};
    const invoiceDate = typeof move.invoice_date === 'string' ? move.invoice_date : env.today();
    const name = postedName(env, move, invoiceDate);
    const reference = move.move_type === 'out_invoice' ? { payment_reference: name } : {};
    await env.write('account.move', [id], {
      name,
      state: 'posted',
      invoice_date: invoiceDate,
      ...reference,
    });
    if (typeof move.reversed_entry_id === 'number')
      await reconcileWithReversed(env, id, move.reversed_entry_id);
  }
  return false;
}
