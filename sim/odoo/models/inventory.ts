/**
 * Inventory counts and scrap, with Odoo 17's recorded schemas (fg-stock.quant,
 * fg-stock.scrap), as the inv-* fixtures show them:
 * - a count is `inventory_quantity` written on a quant (no special context), which sets
 *   `inventory_quantity_set` and `inventory_diff_quantity`; action_apply_inventory returns
 *   None and books one done move "Product Quantity Updated" (is_inventory, no picking)
 *   to or from Virtual Locations/Inventory adjustment, then clears the count;
 * - `inventory_date` is the NEXT planned count (the company's annual day, 31 December);
 * - stock.scrap.action_validate returns true with enough stock, and otherwise the
 *   stock.warn.insufficient.qty.scrap wizard action, whose action_done forces the scrap
 *   (the quant may go negative).
 */
import { toIds } from '../orm/bind.ts';
import { genericMethods } from '../orm/methods.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel, recordedFields } from './define.ts';
import { mailThreadMethods } from './mail.ts';
import { executeMove } from './stock-moves.ts';

const INVENTORY_LOSS = 14;
const SCRAP = 16;
const SCRAP_WARNING_VIEW = 856;

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function onHand(env: Env, product: unknown, location: unknown): number {
  return env
    .search('stock.quant', [
      ['product_id', '=', product],
      ['location_id', '=', location],
    ])
    .reduce((total, id) => total + num(env.row('stock.quant', id)?.quantity), 0);
}

/** One done move of `quantity` between two locations, booked on the quants. */
async function bookMove(env: Env, vals: Record<string, unknown>): Promise<number> {
  const sudo = env.sudo().withContext({ stock_internal_write: true });
  const move = await sudo.create('stock.move', {
    product_uom: 1,
    picked: true,
    state: 'draft',
    date: env.nowString(),
    ...vals,
    quantity: vals.product_uom_qty,
  });
  await sudo.create('stock.move.line', {
    move_id: move,
    picking_id: false,
    product_id: vals.product_id,
    quantity: vals.product_uom_qty,
    picked: true,
    location_id: vals.location_id,
    location_dest_id: vals.location_dest_id,
    state: 'assigned',
  });
  await executeMove(sudo, { ...(sudo.row('stock.move', move) ?? {}), id: move });
  return move;
}

async function applyInventory(env: Env, idsArgument: unknown): Promise<undefined> {
  for (const id of toIds(idsArgument)) {
    const quant = env.row('stock.quant', id) ?? {};
    if (quant.inventory_quantity_set !== true) continue;
    const diff = num(quant.inventory_quantity) - num(quant.quantity);
    if (diff !== 0) {
      const [from, to] =
        diff < 0 ? [quant.location_id, INVENTORY_LOSS] : [INVENTORY_LOSS, quant.location_id];
      await bookMove(env, {
        name: 'Product Quantity Updated',
        product_id: quant.product_id,
        product_uom_qty: Math.abs(diff),
        location_id: from,
        location_dest_id: to,
        is_inventory: true,
      });
    }
    await env
      .sudo()
      .write('stock.quant', [id], { inventory_quantity: 0, inventory_quantity_set: false });
  }
  return undefined;
}

/** A count written by a user marks the quant as counted (Odoo's inverse of inventory_quantity). */
function markCounted(vals: Record<string, unknown>): Record<string, unknown> {
  return typeof vals.inventory_quantity === 'number' && !('inventory_quantity_set' in vals)
    ? { ...vals, inventory_quantity_set: true }
    : vals;
}

async function scrap(env: Env, id: number): Promise<void> {
  const row = env.row('stock.scrap', id) ?? {};
  await bookMove(env, {
    name: String(row.name),
    origin: row.origin ?? false,
    product_id: row.product_id,
    product_uom_qty: row.scrap_qty,
    location_id: row.location_id,
    location_dest_id: row.scrap_location_id,
    scrap_id: id,
  });
  await env.sudo().write('stock.scrap', [id], { state: 'done', date_done: env.nowString() });
}

async function validateScrap(env: Env, idsArgument: unknown): Promise<unknown> {
  for (const id of toIds(idsArgument)) {
    const row = env.row('stock.scrap', id) ?? {};
    if (num(row.scrap_qty) > onHand(env, row.product_id, row.location_id)) {
      const product = Number(row.product_id);
      return {
        name: `${env.displayName('product.product', product)}: Insufficient Quantity To Scrap`,
        view_mode: 'form',
        res_model: 'stock.warn.insufficient.qty.scrap',
        view_id: SCRAP_WARNING_VIEW,
        type: 'ir.actions.act_window',
        context: {
          default_product_id: product,
          default_location_id: row.location_id,
          default_scrap_id: id,
          default_quantity: num(row.scrap_qty),
          default_product_uom_name: 'Units',
        },
        target: 'new',
      };
    }
    await scrap(env, id);
  }
  return true;
}

/**
 * stock.quant.create in inventory mode (context `inventory_mode`, as inv-07 sends it) with a
 * count: like Odoo 17's StockQuant.create, a quant that already exists for the product and
 * location (same lot, package, owner) is not duplicated; the count is written on it and its
 * id returned. Either way the count is recorded, not applied, and the quant is assigned to
 * the counting user (`user_id`, unless given). Repeating the call records the same count.
 */
async function createQuants(env: Env, call: MethodCall): Promise<unknown> {
  const create = genericMethods('stock.quant').create!;
  const list = call.args[0] ?? call.kwargs.vals_list;
  if (env.context.inventory_mode !== true || typeof list !== 'object' || list === null)
    return create(env, call);
  const single = !Array.isArray(list);
  const ids: number[] = [];
  for (const vals of (single ? [list] : list) as Record<string, unknown>[]) {
    if (!('inventory_quantity' in vals)) {
      ids.push((await create(env, { args: [vals], kwargs: {} })) as number);
      continue;
    }
    const { inventory_quantity: counted, ...rest } = vals;
    const [existing] = env.sudo().search('stock.quant', [
      ['product_id', '=', rest.product_id ?? false],
      ['location_id', '=', rest.location_id ?? false],
      ['lot_id', '=', rest.lot_id ?? false],
      ['package_id', '=', rest.package_id ?? false],
      ['owner_id', '=', rest.owner_id ?? false],
    ]);
    const id = existing ?? ((await create(env.sudo(), { args: [rest], kwargs: {} })) as number);
    await env.sudo().write('stock.quant', [id], {
      inventory_quantity: counted,
      inventory_quantity_set: true,
      user_id: rest.user_id ?? env.uid,
    });
    ids.push(id);
  }
  return single ? ids[0] : ids;
}

const quantFields = recordedFields('stock.quant', {
  product_tmpl_id: {
    compute: (env, row) => env.value('product.product', Number(row.product_id), 'product_tmpl_id'),
  },
  product_uom_id: { compute: () => 1 },
  warehouse_id: {
    compute: (env, row) =>
      env.value('stock.location', Number(row.location_id), 'complete_name') === 'WH/Stock'
        ? 1
        : false,
  },
  available_quantity: { compute: (_env, row) => num(row.quantity) - num(row.reserved_quantity) },
  inventory_diff_quantity: {
    compute: (_env, row) =>
      row.inventory_quantity_set === true ? num(row.inventory_quantity) - num(row.quantity) : 0,
  },
  inventory_date: { compute: (env) => `${env.today().slice(0, 4)}-12-31` },
  is_outdated: { compute: () => false },
  on_hand: {
    compute: (env, row) =>
      env.value('stock.location', Number(row.location_id), 'usage') === 'internal',
  },
  in_date: { default: (env) => env.nowString() },
  company_id: { default: () => 1 },
  currency_id: { compute: () => 1 },
});

export const inventoryModels: ModelDef[] = [
  defineModel({
    name: 'stock.quant',
    description: 'Quants',
    order: 'id',
    displayName: (env, row: Row) =>
      typeof row.product_id === 'number' ? env.displayName('product.product', row.product_id) : '',
    fields: quantFields,
    hooks: {
      prepareCreate: (_env, vals) => ({
        quantity: 0,
        reserved_quantity: 0,
        inventory_quantity: 0,
        ...markCounted(vals),
      }),
      afterWrite(env, ids, vals) {
        if (markCounted(vals) !== vals)
          for (const id of ids) env.tx.update('stock.quant', id, { inventory_quantity_set: true });
      },
    },
    methods: {
      create: createQuants,
      action_apply_inventory: (env: Env, { args }: MethodCall) => applyInventory(env, args[0]),
    },
  }),
  defineModel({
    name: 'stock.scrap',
    description: 'Scrap',
    order: 'id desc',
    fields: recordedFields('stock.scrap', { move_ids: { inverse: 'scrap_id' } }),
    hooks: {
      prepareCreate: (env, vals) => ({
        state: 'draft',
        company_id: 1,
        product_uom_id: 1,
        scrap_location_id: SCRAP,
        ...vals,
        name:
          typeof vals.name === 'string'
            ? vals.name
            : `SP/${String(env.runtime.store.nextSequenceNumber('stock.scrap')).padStart(5, '0')}`,
      }),
    },
    methods: {
      ...mailThreadMethods('stock.scrap'),
      action_validate: (env: Env, { args }: MethodCall) => validateScrap(env, args[0]),
    },
  }),
  defineModel({
    name: 'stock.warn.insufficient.qty.scrap',
    description: 'Warn Insufficient Scrap Quantity',
    order: 'id',
    transient: true,
    fields: {
      product_id: f.m2o('product.product', 'Product', {
        required: true,
        default: (env) => env.context.default_product_id ?? false,
      }),
      location_id: f.m2o('stock.location', 'Location', {
        default: (env) => env.context.default_location_id ?? false,
      }),
      scrap_id: f.m2o('stock.scrap', 'Scrap', {
        default: (env) => env.context.default_scrap_id ?? false,
      }),
      quantity: f.float('Quantity', {
        required: true,
        default: (env) => env.context.default_quantity ?? 0,
      }),
      product_uom_name: f.char('Unit of Measure', {
        default: (env) => env.context.default_product_uom_name ?? false,
      }),
    },
    methods: {
      async action_done(env: Env, { args }: MethodCall) {
        for (const id of toIds(args[0])) {
          const scrapId = env.row('stock.warn.insufficient.qty.scrap', id)?.scrap_id;
          if (typeof scrapId === 'number') await scrap(env, scrapId);
        }
        return true;
      },
    },
  }),
];
