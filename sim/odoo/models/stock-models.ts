/**
 * Inventory models besides stock.picking: locations, warehouses, operation types, lots,
 * moves and move lines (quants and scrap are in inventory.ts, reordering rules in
 * orderpoint.ts). Odoo 17 semantics: `stock.move.quantity` is the reserved-or-done
 * quantity and `picked` a boolean (there is no quantity_done).
 */
import { f } from '../orm/fields.ts';
import type { Env } from '../orm/env.ts';
import type { ModelDef } from '../orm/model.ts';
import type { Row } from '../orm/store.ts';
import { defineModel, recordedAttributes } from './define.ts';
import { adjustReservation } from './stock-moves.ts';

const LOCATION_USAGES = [
  ['supplier', 'Vendor Location'],
  ['view', 'View'],
  ['internal', 'Internal Location'],
  ['customer', 'Customer Location'],
  ['inventory', 'Inventory Loss'],
  ['production', 'Production'],
  ['transit', 'Transit Location'],
] as const;

const MOVE_STATES = [
  ['draft', 'New'],
  ['waiting', 'Waiting Another Move'],
  ['confirmed', 'Waiting Availability'],
  ['partially_available', 'Partially Available'],
  ['assigned', 'Available'],
  ['done', 'Done'],
  ['cancel', 'Cancelled'],
] as const;

function locationName(env: Env, row: Row): string {
  if (typeof row.complete_name === 'string') return row.complete_name;
  const parent =
    typeof row.location_id === 'number' ? env.displayName('stock.location', row.location_id) : '';
  return parent === '' ? String(row.name ?? '') : `${parent}/${String(row.name ?? '')}`;
}

/** stock.move fields whose fields_get was recorded keep Odoo's attributes. */
/** Odoo 17's stock.move display name: "<picking origin>/<product code>: <source>><destination>" (ret-03, ret-07). */
function moveDisplayName(env: Env, row: Row): string {
  const picking =
    typeof row.picking_id === 'number' ? env.row('stock.picking', row.picking_id) : undefined;
  const origin =
    typeof picking?.origin === 'string' && picking.origin !== '' ? `${picking.origin}/` : '';
  const code =
    typeof row.product_id === 'number'
      ? env.row('product.product', row.product_id)?.default_code
      : undefined;
  const product = typeof code === 'string' && code !== '' ? `${code}: ` : '';
  const name = (location: unknown) =>
    String(typeof location === 'number' ? (env.row('stock.location', location)?.name ?? '') : '');
  return `${origin}${product}${name(row.location_id)}>${name(row.location_dest_id)}`;
}

function recordedMoveField<T extends object>(name: string, field: T): T {
  const recorded = recordedAttributes('stock.move', name);
  return recorded === undefined ? field : { ...field, recorded };
}

async function createWarehouseLocations(
  env: Env,
  id: number,
  vals: Record<string, unknown>,
): Promise<void> {
  // As in Odoo, a warehouse creates its view and stock locations (so creating one needs
  // create rights on stock.location: see access-error-create-acl).
  const code = String(vals.code ?? 'WH');
  const view = await env.create('stock.location', { name: code, usage: 'view' });
  const stock = await env.create('stock.location', {
    name: 'Stock',
    usage: 'internal',
    location_id: view,
  });
  await env.write('stock.warehouse', [id], { view_location_id: view, lot_stock_id: stock });
}

export const stockModels: ModelDef[] = [
  defineModel({
    name: 'stock.location',
    description: 'Inventory Locations',
    order: 'complete_name, id',
    displayName: locationName,
    fields: {
      name: f.char('Location Name', { required: true }),
      complete_name: f.char('Full Location Name', {
        compute: (env, row) => locationName(env, row),
      }),
      usage: f.selection('Location Type', LOCATION_USAGES, {
        required: true,
        default: () => 'internal',
      }),
      location_id: f.m2o('stock.location', 'Parent Location'),
      company_id: f.m2o('res.company', 'Company'),
      active: f.bool('Active', { default: () => true }),
    },
  }),
  defineModel({
    name: 'stock.warehouse',
    description: 'Warehouse',
    order: 'sequence, id',
    fields: {
      name: f.char('Warehouse', { required: true }),
      code: f.char('Short Name', { required: true }),
      sequence: f.int('Sequence'),
      lot_stock_id: f.m2o('stock.location', 'Location Stock'),
      view_location_id: f.m2o('stock.location', 'View Location'),
      partner_id: f.m2o('res.partner', 'Address'),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
    hooks: { afterCreate: createWarehouseLocations },
  }),
  defineModel({
    name: 'stock.picking.type',
    description: 'Picking Type',
    order: 'sequence, id',
    displayName: (env, row) =>
      typeof row.warehouse_id === 'number'
        ? `${env.displayName('stock.warehouse', row.warehouse_id)}: ${String(row.name)}`
        : String(row.name),
    fields: {
      name: f.char('Operation Type', { required: true }),
      code: f.selection('Type of Operation', [
        ['incoming', 'Receipt'],
        ['outgoing', 'Delivery'],
        ['internal', 'Internal Transfer'],
      ]),
      sequence: f.int('Sequence'),
      sequence_code: f.char('Sequence Prefix'),
      warehouse_id: f.m2o('stock.warehouse', 'Warehouse'),
      default_location_src_id: f.m2o('stock.location', 'Default Source Location'),
      default_location_dest_id: f.m2o('stock.location', 'Default Destination Location'),
    },
  }),
  defineModel({
    name: 'stock.lot',
    description: 'Lot/Serial',
    order: 'name, id',
    fields: { name: f.char('Lot/Serial Number'), product_id: f.m2o('product.product', 'Product') },
  }),
  defineModel({
    name: 'stock.move',
    description: 'Stock Move',
    order: 'sequence, id',
    displayName: moveDisplayName,
    fields: {
      name: f.char('Description'),
      sequence: f.int('Sequence'),
      reference: f.char('Reference', {
        compute: (env, row) =>
          typeof row.picking_id === 'number'
            ? env.displayName('stock.picking', row.picking_id)
            : (row.name ?? false),
      }),
      origin: f.char('Source Document'),
      picking_id: f.m2o('stock.picking', 'Transfer'),
      product_id: recordedMoveField(
        'product_id',
        f.m2o('product.product', 'Product', { required: true }),
      ),
      product_uom_qty: f.float('Demand'),
      quantity: recordedMoveField('quantity', f.float('Quantity')),
      picked: recordedMoveField('picked', f.bool('Picked')),
      product_uom: f.m2o('uom.uom', 'UoM', { default: () => 1 }),
      state: recordedMoveField(
        'state',
        f.selection('Status', MOVE_STATES, { readonly: true, default: () => 'draft' }),
      ),
      location_id: f.m2o('stock.location', 'Source Location', { required: true }),
      location_dest_id: f.m2o('stock.location', 'Destination Location', { required: true }),
      sale_line_id: f.m2o('sale.order.line', 'Sale Line'),
      purchase_line_id: f.m2o('purchase.order.line', 'Purchase Order Line'),
      date_deadline: f.datetime('Deadline'),
      is_inventory: f.bool('Inventory'),
      scrap_id: f.m2o('stock.scrap', 'Scrap operation'),
      origin_returned_move_id: f.m2o('stock.move', 'Origin return move'),
      to_refund: f.bool('Update quantities on SO/PO'),
      move_line_ids: f.o2m('stock.move.line', 'move_id', 'Move Lines'),
      date: f.datetime('Date Scheduled', { default: (env) => env.nowString() }),
      company_id: f.m2o('res.company', 'Company', { default: () => 1 }),
    },
    hooks: { beforeWrite: adjustReservation },
  }),
  defineModel({
    name: 'stock.move.line',
    description: 'Product Moves (Stock Move Line)',
    order: 'id',
    fields: {
      move_id: f.m2o('stock.move', 'Stock Operation'),
      picking_id: f.m2o('stock.picking', 'Transfer'),
      product_id: f.m2o('product.product', 'Product'),
      lot_id: f.m2o('stock.lot', 'Lot/Serial Number'),
      quantity: f.float('Quantity'),
      picked: f.bool('Picked'),
      location_id: f.m2o('stock.location', 'From'),
      location_dest_id: f.m2o('stock.location', 'To'),
      state: f.selection('Status', MOVE_STATES),
    },
  }),
];
