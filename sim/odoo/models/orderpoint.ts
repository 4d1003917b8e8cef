/**
 * Reordering rules (stock.warehouse.orderpoint) with Odoo 17's recorded schema, as the
 * p2p fixtures show them:
 * - qty_on_hand is what the rule's location holds; qty_forecast adds what is incoming
 *   (receipt moves not done) and what draft RFQs already order, less what is reserved to
 *   go out. The seeded demo rules keep the forecast the lab showed (it came from demo
 *   moves the seed does not hold);
 * - qty_to_order = max - forecast, rounded up to the multiple, when the forecast is
 *   under the minimum; lead_days_date = today + the vendor's delay;
 * - action_replenish ("Order Once") creates the RFQ (origin = the rule, no buyer,
 *   dates at 12:00:00 UTC) and returns a display_notification client action naming it,
 *   its id only inside the link's URL.
 */
import { py } from '../errors.ts';
import { toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel, recordedFields } from './define.ts';
import { supplierInfoFor } from './purchase-order.ts';

/** The id of the "Requests for Quotation" window action in the lab's database. */
const PURCHASE_ACTION = 396;

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function qtyOnHand(env: Env, row: Row): number {
  return env.tx.ids('stock.quant').reduce((total, id) => {
    const quant = env.row('stock.quant', id);
    if (quant === undefined) return total;
    return quant.product_id === row.product_id && quant?.location_id === row.location_id
      ? total + num(quant.quantity)
      : total;
  }, 0);
}

function qtyForecast(env: Env, row: Row): number {
  if (typeof row.qty_forecast === 'number') return row.qty_forecast;
  let forecast = qtyOnHand(env, row);
  for (const id of env.tx.ids('stock.move')) {
    const move = env.row('stock.move', id);
    if (
      move === undefined ||
      move.product_id !== row.product_id ||
      ['done', 'cancel', 'draft'].includes(String(move.state))
    )
      continue;
    if (move.location_dest_id === row.location_id) forecast += num(move.product_uom_qty);
    if (move.location_id === row.location_id) forecast -= num(move.product_uom_qty);
  }
  for (const id of env.tx.ids('purchase.order.line')) {
    const line = env.row('purchase.order.line', id);
    if (line === undefined || line.product_id !== row.product_id) continue;
    const state = env.value('purchase.order', Number(line.order_id), 'state');
    if (state === 'draft' || state === 'sent' || state === 'to approve')
      forecast += num(line.product_qty);
  }
  return forecast;
}

export function qtyToOrder(env: Env, row: Row): number {
  const forecast = qtyForecast(env, row);
  if (forecast >= num(row.product_min_qty)) return 0;
  const wanted = Math.max(num(row.product_min_qty), num(row.product_max_qty)) - forecast;
  const multiple = num(row.qty_multiple);
  return multiple > 0 ? Math.ceil(wanted / multiple - 1e-9) * multiple : wanted;
}

function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

function vendorDelay(env: Env, row: Row): number {
  return typeof row.product_id === 'number' ? num(supplierInfoFor(env, row.product_id)?.delay) : 0;
}

async function replenish(env: Env, id: number): Promise<Record<string, unknown>> {
  const row: Row = { ...(env.row('stock.warehouse.orderpoint', id) ?? {}), id };
  const product = Number(row.product_id);
  const info = supplierInfoFor(env, product);
  if (info === undefined)
    throw py.userError(
      `There is no matching vendor price to generate the purchase order for product ${env.displayName('product.product', product)} (no vendor defined, minimum quantity not reached, dates not valid, ...). Go on the product form and complete the list of vendors.`,
    );
  const today = env.today();
  const planned = `${addDays(today, num(info.delay))} 12:00:00`;
  const order = await env.sudo().create('purchase.order', {
    partner_id: info.partner_id,
    origin: row.name,
    user_id: false,
    date_order: `${today} 12:00:00`,
    date_planned: planned,
    order_line: [
      [
        0,
        0,
        {
          product_id: product,
          product_qty: qtyToOrder(env, row),
          price_unit: num(info.price),
          date_planned: planned,
          orderpoint_id: id,
        },
      ],
    ],
  });
  return {
    type: 'ir.actions.client',
    tag: 'display_notification',
    params: {
      title: 'The following replenishment order has been generated',
      message: '%s',
      links: [
        {
          label: env.displayName('purchase.order', order).replace(/ \(.*\)$/, ''),
          url: `#action=${PURCHASE_ACTION}&id=${order}&model=purchase.order`,
        },
      ],
      sticky: false,
      next: { type: 'ir.actions.act_window_close' },
    },
  };
}

export const orderpointModel: ModelDef = defineModel({
  name: 'stock.warehouse.orderpoint',
  description: 'Minimum Inventory Rule',
  order: 'location_id, company_id, id',
  fields: recordedFields('stock.warehouse.orderpoint', {
    trigger: { default: () => 'auto' },
    active: { default: () => true },
    company_id: { default: () => 1 },
    qty_multiple: { default: () => 1 },
    product_uom: { compute: () => 1 },
    product_tmpl_id: {
      compute: (env, row) =>
        env.value('product.product', Number(row.product_id), 'product_tmpl_id'),
    },
    qty_on_hand: { compute: qtyOnHand },
    qty_forecast: { compute: qtyForecast },
    qty_to_order: { compute: qtyToOrder },
    lead_days_date: { compute: (env, row) => addDays(env.today(), vendorDelay(env, row)) },
    days_to_order: { compute: () => 0 },
    visibility_days: { compute: () => 0 },
  }),
  hooks: {
    prepareCreate: (env, vals) => ({
      ...vals,
      name:
        typeof vals.name === 'string'
          ? vals.name
          : `OP/${String(env.runtime.store.nextSequenceNumber('stock.warehouse.orderpoint')).padStart(5, '0')}`,
    }),
  },
  methods: {
    async action_replenish(env: Env, { args }: MethodCall) {
      let answer: Record<string, unknown> = {};
      for (const id of toIds(args[0])) answer = await replenish(env, id);
      return answer;
    },
  },
});
