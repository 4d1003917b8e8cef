/**
 * Bank accounts (res.partner.bank) with Odoo 17's recorded schema (fg-res.partner.bank)
 * and the trust rule the p2p fixtures show: the number or partner of an account trusted
 * for outgoing payments (`allow_out_payment`) cannot be changed, unless the same write
 * also withdraws the trust. `acc_type` is "bank" (base_iban is not installed), the
 * sanitized number drops spaces, and an account belongs to no company.
 */
import { py } from '../errors.ts';
import type { ModelDef } from '../orm/model.ts';
import { defineModel, recordedFields } from './define.ts';

function sanitized(number: unknown): string | false {
  return typeof number === 'string' ? number.replace(/[^A-Za-z0-9]/g, '').toUpperCase() : false;
}

export const partnerBankModel: ModelDef = defineModel({
  name: 'res.partner.bank',
  description: 'Bank Accounts',
  order: 'sequence, id',
  displayName: (_env, row) => String(row.acc_number ?? ''),
  fields: recordedFields('res.partner.bank', {
    sanitized_acc_number: { compute: (_env, row) => sanitized(row.acc_number) },
    acc_type: { compute: () => 'bank' },
    active: { default: () => true },
    sequence: { default: () => 10 },
  }),
  hooks: {
    beforeWrite(env, ids, vals) {
      const sensitive = 'acc_number' in vals || 'partner_id' in vals;
      if (!sensitive || vals.allow_out_payment === false) return;
      if (ids.some((id) => env.row('res.partner.bank', id)?.allow_out_payment === true)) {
        throw py.userError(
          'You cannot modify the account number or partner of an account that has been trusted.',
        );
      }
    },
  },
});
