/**
 * stock.picking with Odoo 17's recorded schema and the transfer methods the fixtures use:
 * action_confirm, action_assign (returns true), do_unreserve (returns None) and
 * button_validate (see stock-validate.ts for its four possible answers).
 */
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import type { MethodCall } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel, recordedFields } from './define.ts';
import { mailThreadMethods } from './mail.ts';
import {
  assignPicking,
  cancelPicking,
  confirmPicking,
  movesOf,
  syncPickingState,
  unreserveMove,
} from './stock-moves.ts';
import { buttonValidate } from './stock-validate.ts';

function pad(value: number): string {
  return String(value).padStart(5, '0');
}

function typeOf(env: Env, row: Row): Row | undefined {
  return typeof row.picking_type_id === 'number'
    ? env.row('stock.picking.type', row.picking_type_id)
    : undefined;
}

function weightOf(env: Env, row: Row): number {
  return movesOf(env, Number(row.id)).reduce((total, move) => {
    const weight =
      typeof move.product_id === 'number'
        ? Number(env.value('product.product', move.product_id, 'weight'))
        : 0;
    return total + weight * Number(move.product_uom_qty ?? 0);
  }, 0);
}

function availability(env: Env, row: Row): [string | false, string | false] {
  if (!['confirmed', 'waiting', 'assigned'].includes(String(row.state))) return [false, false];
  const moves = movesOf(env, Number(row.id));
  return moves.every((move) => move.state === 'assigned')
    ? ['Available', 'available']
    : ['Not Available', 'late'];
}

export const pickingModel = defineModel({
  name: 'stock.picking',
  description: 'Transfer',
  order: 'priority desc, scheduled_date asc, id desc',
  displayName: (_env, row) => String(row.name ?? ''),
  fields: recordedFields('stock.picking', {
    state: { default: () => 'draft' },
    move_type: { default: () => 'direct' },
    priority: { default: () => '0' },
    company_id: { default: () => 1 },
    scheduled_date: { default: (env) => env.nowString() },
    picking_type_code: { compute: (env, row) => typeOf(env, row)?.code ?? false },
    move_ids: { inverse: 'picking_id' },
    move_ids_without_package: { inverse: 'picking_id' },
    move_line_ids: { inverse: 'picking_id' },
    move_line_ids_without_package: { inverse: 'picking_id' },
    backorder_ids: { inverse: 'backorder_id' },
    return_ids: { inverse: 'return_id' },
    weight: { compute: weightOf },
    shipping_weight: { compute: weightOf },
    products_availability: { compute: (env, row) => availability(env, row)[0] },
    products_availability_state: { compute: (env, row) => availability(env, row)[1] },
  }),
  hooks: {
    prepareCreate(env, vals) {
      if (typeof vals.name === 'string' && vals.name !== '/') return vals;
      const type =
        typeof vals.picking_type_id === 'number'
          ? env.row('stock.picking.type', vals.picking_type_id)
          : undefined;
      const code = String(type?.sequence_code ?? 'INT');
      return {
        ...vals,
        name: `WH/${code}/${pad(env.runtime.store.nextSequenceNumber(`stock.picking.${code}`))}`,
      };
    },
  },
  methods: {
    ...mailThreadMethods('stock.picking'),
    async action_confirm(env: Env, { args }: MethodCall) {
      for (const id of toIds(args[0])) await confirmPicking(env, id);
      return true;
    },
    async action_assign(env: Env, { args }: MethodCall) {
      for (const id of toIds(args[0])) await assignPicking(env, id);
      return true;
    },
    async do_unreserve(env: Env, { args }: MethodCall) {
      for (const id of toIds(args[0])) {
        for (const move of movesOf(env, id)) await unreserveMove(env, move);
        await syncPickingState(env, id);
      }
      return undefined;
    },
    button_validate(env: Env, { args }: MethodCall) {
      return buttonValidate(env, toIds(args[0]));
    },
    async action_cancel(env: Env, { args }: MethodCall) {
      for (const id of toIds(args[0])) await cancelPicking(env, id);
      return true;
    },
  },
});
