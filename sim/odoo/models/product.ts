/**
 * Products. Stock quantities are computed like Odoo's: on hand from quants in internal
 * locations (or in the location given as context `location`), incoming/outgoing from
 * moves not done nor cancelled, forecast = on hand + incoming - outgoing.
 */
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { Row } from '../orm/store.ts';
import { roundHalfUp } from '../orm/wire.ts';
import { defineModel } from './define.ts';
import { mailThreadMethods } from './mail.ts';

/** Variant attribute values shown after the name, e.g. "(Custom, White)". */
export const VARIANT_LABELS: Readonly<Record<number, string>> = {
  12: 'Steel, White',
  23: 'Steel',
  24: 'Aluminium',
  37: 'Custom, White',
  38: 'Custom, Black',
};

const PURCHASE_METHODS: Array<[string, string]> = [
  ['purchase', 'On ordered quantities'],
  ['receive', 'On received quantities'],
];

function templateValue(env: Env, row: Row, field: string): unknown {
  return typeof row.product_tmpl_id === 'number'
    ? env.row('product.template', row.product_tmpl_id)?.[field]
    : undefined;
}

function productDisplayName(env: Env, row: Row): string {
  const name = String(templateValue(env, row, 'name') ?? '');
  const label = VARIANT_LABELS[Number(row.id)];
  const withLabel = label === undefined ? name : `${name} (${label})`;
  return typeof row.default_code === 'string' && row.default_code !== ''
    ? `[${row.default_code}] ${withLabel}`
    : withLabel;
}

export function isInternalLocation(env: Env, locationId: unknown): boolean {
  return (
    typeof locationId === 'number' && env.row('stock.location', locationId)?.usage === 'internal'
  );
}

function onHand(env: Env, row: Row, reservedOnly = false): number {
  const location = env.context.location;
  const sudo = env.sudo();
  const quants = sudo.tx.ids('stock.quant').map((id) => sudo.row('stock.quant', id) ?? {});
  return quants
    .filter((quant) => quant.product_id === row.id)
    .filter((quant) =>
      typeof location === 'number'
        ? quant.location_id === location
        : isInternalLocation(env, quant.location_id),
    )
    .reduce(
      (total, quant) =>
        total + Number(reservedOnly ? (quant.reserved_quantity ?? 0) : (quant.quantity ?? 0)),
      0,
    );
}

function pendingMoves(env: Env, row: Row, direction: 'in' | 'out'): number {
  const sudo = env.sudo();
  return sudo.tx
    .ids('stock.move')
    .map((id) => sudo.row('stock.move', id) ?? {})
    .filter(
      (move) =>
        move.product_id === row.id &&
        move.state !== 'done' &&
        move.state !== 'cancel' &&
        move.state !== 'draft',
    )
    .filter((move) => {
      const fromInside = isInternalLocation(env, move.location_id);
      const toInside = isInternalLocation(env, move.location_dest_id);
      return direction === 'in' ? toInside && !fromInside : fromInside && !toInside;
    })
    .reduce((total, move) => total + Number(move.product_uom_qty ?? 0), 0);
}

const quantity = (compute: (env: Env, row: Row) => number) =>
  f.float('Quantity', { store: false, compute: (env, row) => roundHalfUp(compute(env, row), 4) });

export const productTemplateModel = defineModel({
  name: 'product.template',
  description: 'Product',
  order: 'priority desc, name, id',
  // Single-variant templates carry the variant's reference: "[E-COM06] Corner Desk Right Sit".
  displayName: (_env, row) =>
    typeof row.default_code === 'string'
      ? `[${row.default_code}] ${String(row.name)}`
      : String(row.name ?? ''),
  fields: {
    name: f.char('Name', { required: true }),
    default_code: f.char('Internal Reference'),
    type: f.selection('Product Type', [
      ['consu', 'Consumable'],
      ['service', 'Service'],
      ['product', 'Storable Product'],
    ]),
    list_price: f.float('Sales Price'),
    standard_price: f.float('Cost'),
    invoice_policy: f.selection('Invoicing Policy', [
      ['order', 'Ordered quantities'],
      ['delivery', 'Delivered quantities'],
    ]),
    // The purchase "Control Policy": bills follow received quantities unless set to ordered ones.
    purchase_method: f.selection('Control Policy', PURCHASE_METHODS, { default: () => 'receive' }),
    uom_id: f.m2o('uom.uom', 'Unit of Measure'),
    priority: f.selection('Favorite', [
      ['0', 'Normal'],
      ['1', 'Favorite'],
    ]),
    weight: f.float('Weight'),
    categ_id: f.m2o('product.category', 'Product Category'),
    product_variant_ids: f.o2m('product.product', 'product_tmpl_id', 'Products'),
    seller_ids: f.o2m('product.supplierinfo', 'product_tmpl_id', 'Vendors'),
  },
  // product.template inherits mail.thread and mail.activity.mixin in Odoo 17 (the product
  // form's chatter); no fixture records it, so only the chatter methods are modelled.
  methods: mailThreadMethods('product.template'),
});

export const productModel = defineModel({
  name: 'product.product',
  description: 'Product Variant',
  order: 'priority desc, default_code, name, id',
  displayName: productDisplayName,
  fields: {
    product_tmpl_id: f.m2o('product.template', 'Product Template', { required: true }),
    name: f.char('Name', { compute: (env, row) => templateValue(env, row, 'name') ?? false }),
    default_code: f.char('Internal Reference'),
    barcode: f.char('Barcode'),
    type: f.selection(
      'Product Type',
      [
        ['consu', 'Consumable'],
        ['service', 'Service'],
        ['product', 'Storable Product'],
      ],
      {
        compute: (env, row) => templateValue(env, row, 'type') ?? false,
      },
    ),
    // Variant price = template price + the variant's price_extra (attribute value extras).
    list_price: f.float('Sales Price', {
      compute: (env, row) =>
        Number(templateValue(env, row, 'list_price') ?? 0) + Number(row.price_extra ?? 0),
    }),
    price_extra: f.float('Variant Price Extra'),
    standard_price: f.float('Cost'),
    purchase_method: f.selection('Control Policy', PURCHASE_METHODS, {
      compute: (env, row) => templateValue(env, row, 'purchase_method') ?? 'receive',
    }),
    uom_id: f.m2o('uom.uom', 'Unit of Measure', {
      compute: (env, row) => templateValue(env, row, 'uom_id') ?? false,
    }),
    priority: f.selection(
      'Favorite',
      [
        ['0', 'Normal'],
        ['1', 'Favorite'],
      ],
      { compute: (env, row) => templateValue(env, row, 'priority') ?? '0' },
    ),
    weight: f.float('Weight', { compute: (env, row) => templateValue(env, row, 'weight') ?? 0 }),
    categ_id: f.m2o('product.category', 'Product Category', {
      compute: (env, row) => templateValue(env, row, 'categ_id') ?? false,
    }),
    active: f.bool('Active', { default: () => true }),
    qty_available: quantity((env, row) => onHand(env, row)),
    free_qty: quantity((env, row) => onHand(env, row) - onHand(env, row, true)),
    incoming_qty: quantity((env, row) => pendingMoves(env, row, 'in')),
    outgoing_qty: quantity((env, row) => pendingMoves(env, row, 'out')),
    virtual_available: quantity(
      (env, row) => onHand(env, row) + pendingMoves(env, row, 'in') - pendingMoves(env, row, 'out'),
    ),
  },
});
