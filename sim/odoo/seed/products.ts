/**
 * Products, carriers and reordering rules seen in the fixtures (ids, references, names,
 * prices as recorded: 32 "[FURN_8855] Drawer" at 110.50, 21 "[E-COM11] Cabinet with
 * Doors" at 140.00, 25 "[FURN_0269] Office Chair Black", the three delivery products).
 */
import type { SeedRow, SeedRows } from './types.ts';

type ProductSpec = [
  id: number,
  template: number,
  code: string,
  name: string,
  type: string,
  list: number,
  cost: number,
  weight?: number,
];

const PRODUCTS: ProductSpec[] = [
  [5, 17, 'FURN_7777', 'Office Chair', 'product', 70, 55],
  [6, 27, 'FURN_8888', 'Office Lamp', 'product', 40, 35],
  [12, 9, 'FURN_0096', 'Customizable Desk', 'product', 800, 500],
  [16, 10, 'E-COM06', 'Corner Desk Right Sit', 'product', 147, 600],
  [17, 11, 'E-COM07', 'Large Cabinet', 'product', 320, 800],
  [18, 12, 'E-COM08', 'Storage Box', 'product', 15.8, 14],
  [19, 13, 'E-COM09', 'Large Desk', 'product', 1799, 1299],
  [20, 14, 'E-COM10', 'Pedal Bin', 'product', 47, 10],
  [21, 15, 'E-COM11', 'Cabinet with Doors', 'product', 140, 120.5],
  [23, 16, 'E-COM12', 'Conference Chair', 'product', 33, 0],
  [24, 16, 'E-COM13', 'Conference Chair', 'product', 33, 0],
  [26, 18, 'FURN_1118', 'Corner Desk Left Sit', 'product', 85, 78],
  [25, 23, 'FURN_0269', 'Office Chair Black', 'product', 120.5, 180],
  [28, 19, 'FURN_9001', 'Flipover', 'product', 1950, 1700],
  [30, 20, 'FURN_0789', 'Individual Workplace', 'product', 885, 876],
  [31, 21, 'FURN_6666', 'Acoustic Bloc Screens', 'product', 295, 287],
  [32, 22, 'FURN_8855', 'Drawer', 'product', 110.5, 100, 0.01],
  [37, 9, 'DESK0005', 'Customizable Desk', 'product', 800, 0],
  [38, 9, 'DESK0006', 'Customizable Desk', 'product', 800, 0],
  [40, 24, 'Delivery_007', 'Standard delivery', 'service', 0, 0],
  [41, 25, 'Delivery_009', 'The Poste', 'service', 20, 0],
  [42, 26, 'Delivery_010', 'Local Delivery', 'service', 5, 0],
];

const MULTI_VARIANT_TEMPLATES = new Set([9, 16]);

function templates(): SeedRow[] {
  const seen = new Map<number, SeedRow>();
  for (const [, template, code, name, type, list, , weight] of PRODUCTS) {
    if (seen.has(template)) continue;
    seen.set(template, {
      id: template,
      name,
      type,
      list_price: list,
      standard_price: 0,
      uom_id: 1,
      priority: '0',
      weight: weight ?? 0,
      invoice_policy: type === 'service' ? 'order' : 'delivery',
      default_code: MULTI_VARIANT_TEMPLATES.has(template) ? false : code,
    });
  }
  return [...seen.values()];
}

/** Customizable Desk: the template sells at 800, the (Custom, ...) variants 50 less. */
const PRICE_EXTRA: Readonly<Record<number, number>> = { 37: -50, 38: -50 };

function products(): SeedRow[] {
  return PRODUCTS.map(([id, template, code, , , , cost]) => ({
    id,
    product_tmpl_id: template,
    default_code: code,
    barcode: false,
    standard_price: cost,
    active: true,
    price_extra: PRICE_EXTRA[id] ?? 0,
    write_date: id === 37 || id === 38 ? '2026-11-22 04:22:16' : '2026-11-22 04:22:09',
  }));
}

function carrier(
  id: number,
  name: string,
  product: number,
  type: string,
  fixedPrice: number,
  sequence: number,
): SeedRow {
  return {
    id,
    name,
    active: true,
    sequence,
    delivery_type: type,
    integration_level: 'rate_and_ship',
    prod_environment: false,
    debug_logging: false,
    company_id: false,
    product_id: product,
    currency_id: 1,
    invoice_policy: 'estimated',
    country_ids: [],
    state_ids: [],
    zip_prefix_ids: [],
    carrier_description: false,
    margin: 0,
    fixed_margin: 0,
    free_over: false,
    amount: 1000,
    can_generate_return: false,
    return_label_on_delivery: false,
    get_return_label_from_portal: false,
    supports_shipping_insurance: false,
    shipping_insurance: 0,
    fixed_price: fixedPrice,
    route_ids: [],
    create_uid: 1,
    create_date: '2026-11-22 04:22:14',
    write_uid: 1,
    write_date: '2026-11-22 04:22:14',
  };
}

function orderpoint(
  id: number,
  product: number,
  warehouse: number,
  location: number,
  min: number,
  max: number,
  forecast: number,
  toOrder: number,
): SeedRow {
  return {
    id,
    name: `OP/${String(id).padStart(5, '0')}`,
    product_id: product,
    warehouse_id: warehouse,
    location_id: location,
    trigger: 'auto',
    product_min_qty: min,
    product_max_qty: max,
    qty_multiple: 1,
    qty_forecast: forecast,
    qty_to_order: toOrder,
    route_id: false,
    company_id: warehouse,
    active: true,
  };
}

function supplierInfo(
  id: number,
  partner: number,
  template: number,
  price: number,
  delay: number,
): SeedRow {
  return {
    id,
    partner_id: partner,
    product_tmpl_id: template,
    product_id: false,
    product_name: false,
    product_code: false,
    min_qty: 1,
    price,
    currency_id: 1,
    delay,
    sequence: 1,
    date_start: false,
    date_end: false,
    company_id: 1,
  };
}

export const productRows: SeedRows = {
  'product.template': templates(),
  'product.product': products(),
  'delivery.carrier': [
    carrier(1, 'Standard delivery', 40, 'fixed', 0, 1),
    carrier(2, 'The Poste', 41, 'base_on_rule', 20, 2),
    carrier(3, 'Local Delivery', 42, 'fixed', 5, 3),
  ],
  // Vendor pricelists: Ready Mat sells the corner desk (p2p-13), Wood Corner the cabinet (p2p-23).
  'product.supplierinfo': [supplierInfo(10, 12, 18, 78, 5), supplierInfo(11, 9, 15, 120.5, 3)],
  'stock.warehouse.orderpoint': [
    orderpoint(1, 6, 1, 8, 5, 10, 50, 0),
    orderpoint(2, 28, 1, 8, 5, 12, 5, 0),
    orderpoint(3, 5, 1, 8, 3, 5, 58, 0),
    orderpoint(4, 20, 2, 28, 10, 20, 0, 20),
  ],
};
