/**
 * account.move.reversal, the credit-note wizard, as recorded (ret-11..14, ret-30):
 * - created with context {active_model: "account.move", active_ids}; move_ids and
 *   company_id come from that context; a move that is not posted makes the create itself
 *   fail with "You can only reverse posted moves." (raised where Odoo's default_get does,
 *   before an id is taken);
 * - refund_moves makes one DRAFT credit note per move: a copy of its product lines with
 *   positive quantities, invoice_date and date = the reversal date, ref "Reversal of:
 *   <name>, <reason>", reversed_entry_id = the move; it answers a small act_window.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel } from './define.ts';
import { addBalancingLines, moveLinesOf } from './invoice-lines.ts';

const REFUND_TYPE: Readonly<Record<string, string>> = {
  out_invoice: 'out_refund',
  in_invoice: 'in_refund',
  out_refund: 'out_invoice',
  in_refund: 'in_invoice',
};
const COPIED_LINE_FIELDS = [
  'name',
  'product_id',
  'quantity',
  'product_uom_id',
  'price_unit',
  'discount',
  'account_id',
  'purchase_line_id',
] as const;

function movesOfWizard(env: Env, row: Row): Row[] {
  return toIds(row.move_ids).map((id) => env.row('account.move', id) ?? {});
}

function checkReversible(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
  const fromContext =
    env.context.active_model === 'account.move' ? toIds(env.context.active_ids) : [];
  const moveIds = fromContext.length > 0 ? fromContext : toIds(vals.move_ids);
  if (moveIds.some((id) => env.row('account.move', id)?.state !== 'posted'))
    throw py.userError('You can only reverse posted moves.');
  const company = env.row('account.move', moveIds[0] ?? 0)?.company_id ?? 1;
  return { move_ids: [[6, 0, moveIds]], company_id: company, ...vals };
}

async function reverseMove(env: Env, moveId: number, wizard: Row): Promise<number> {
  const sudo = env.sudo();
  const move = sudo.row('account.move', moveId) ?? {};
  const date = typeof wizard.date === 'string' ? wizard.date : env.today();
  const reason =
    typeof wizard.reason === 'string' && wizard.reason !== '' ? `, ${wizard.reason}` : '';
  const creditNote = await sudo.create('account.move', {
    move_type: REFUND_TYPE[String(move.move_type)] ?? 'entry',
    partner_id: move.partner_id ?? false,
    invoice_origin: move.invoice_origin ?? false,
    journal_id: wizard.journal_id ?? move.journal_id ?? false,
    currency_id: move.currency_id ?? 1,
    company_id: move.company_id ?? 1,
    ref: `Reversal of: ${String(move.name)}${reason}`,
    reversed_entry_id: moveId,
    invoice_date: date,
    date,
    invoice_date_due: date,
  });
  for (const lineId of moveLinesOf(sudo, moveId, 'product')) {
    const line = sudo.row('account.move.line', lineId) ?? {};
    const copied = Object.fromEntries(
      COPIED_LINE_FIELDS.map((name) => [name, line[name] ?? false]),
    );
    await sudo.create('account.move.line', {
      ...copied,
      move_id: creditNote,
      display_type: 'product',
      tax_ids: [[6, 0, toIds(line.tax_ids)]],
      sale_line_ids: [[6, 0, toIds(line.sale_line_ids)]],
    });
  }
  await addBalancingLines(sudo, creditNote);
  return creditNote;
}

async function refundMoves(env: Env, { args }: MethodCall): Promise<Record<string, unknown>> {
  const created: number[] = [];
  for (const wizardId of toIds(args[0])) {
    const wizard = env.row('account.move.reversal', wizardId) ?? {};
    const made: number[] = [];
    for (const moveId of toIds(wizard.move_ids)) made.push(await reverseMove(env, moveId, wizard));
    await env.write('account.move.reversal', [wizardId], { new_move_ids: [[6, 0, made]] });
    created.push(...made);
  }
  const type = env.row('account.move', created[0] ?? 0)?.move_type ?? 'entry';
  if (created.length === 1) {
    return {
      name: 'Reverse Moves',
      type: 'ir.actions.act_window',
      res_model: 'account.move',
      view_mode: 'form',
      res_id: created[0],
      context: { default_move_type: type },
    };
  }
  return {
    name: 'Reverse Moves',
    type: 'ir.actions.act_window',
    res_model: 'account.move',
    view_mode: 'tree,form',
    domain: [['id', 'in', created]],
    context: { default_move_type: type },
  };
}

export const reversalModels: ModelDef[] = [
  defineModel({
    name: 'account.move.reversal',
    description: 'Account Move Reversal',
    order: 'id',
    transient: true,
    displayName: (_env, row) => `account.move.reversal,${String(row.id)}`,
    fields: {
      move_ids: f.m2m('account.move', 'Journal Entry'),
      new_move_ids: f.m2m('account.move', 'New Move'),
      date: f.date('Reversal date', { default: (env) => env.today() }),
      reason: f.char('Reason displayed on Credit Note'),
      journal_id: f.m2o('account.journal', 'Journal'),
      company_id: f.m2o('res.company', 'Company', { required: true }),
      residual: f.money('Residual', {
        compute: (env, row) =>
          movesOfWizard(env, row).reduce(
            (total, move) =>
              total + Number(env.value('account.move', Number(move.id), 'amount_residual')),
            0,
          ),
      }),
      currency_id: f.m2o('res.currency', 'Currency', {
        compute: (env, row) => movesOfWizard(env, row)[0]?.currency_id ?? false,
      }),
      move_type: f.char('Move Type', {
        compute: (env, row) => movesOfWizard(env, row)[0]?.move_type ?? false,
      }),
      available_journal_ids: f.m2m('account.journal', 'Available Journals', {
        compute: (env, row) => {
          const journal = movesOfWizard(env, row)[0]?.journal_id;
          const type =
            typeof journal === 'number' ? env.row('account.journal', journal)?.type : undefined;
          return env.tx
            .ids('account.journal')
            .filter((id) => env.row('account.journal', id)?.type === type);
        },
      }),
    },
    hooks: { prepareCreate: checkReversible },
    methods: { refund_moves: refundMoves, reverse_moves: refundMoves },
  }),
];
