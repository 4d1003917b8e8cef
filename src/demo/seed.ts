/**
 * Demo data for the Odoo simulator: a distributor in Hamburg (its warehouse's address)
 * selling to customers across Europe. Everything is created through the simulator's ORM methods (create, action_confirm,
 * button_validate, the invoicing wizard, action_post) so the records look as Odoo makes them.
 * The customers and products themselves are in catalog.ts.
 */
import {
  COUNTRIES,
  CUSTOMERS,
  PRODUCTS,
  type DemoCatalog,
  type DemoCustomer,
  type DemoProduct,
} from './catalog.ts';
import type { OdooSimulator } from './simulators.ts';

export type { DemoCatalog, DemoCustomer, DemoProduct } from './catalog.ts';

/** The Odoo stock location the simulator's warehouse keeps goods in (WH/Stock). */
const WH_STOCK = 8;
/** The simulator's warehouse (WH), whose delivery type the demo's orders use, and its address. */
const WAREHOUSE = 1;
const WAREHOUSE_ADDRESS = {
  name: 'Crossdock Demo Distribution',
  street: 'Am Sandtorkai 50',
  zip: '20457',
  city: 'Hamburg',
};
/** The simulator's "Standard delivery" service product, which shipping methods invoice. */
const DELIVERY_PRODUCT = 40;

export async function seedDemo(sim: OdooSimulator, options: { today: Date }): Promise<DemoCatalog> {
  const call = <T>(
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
  ) => sim.db.callAsUser(model, method, args, kwargs) as Promise<T>;
  const countryIds: Record<string, number> = {};
  for (const [code, name] of Object.entries(COUNTRIES))
    countryIds[code] = await call<number>('res.country', 'create', [{ name, code }]);
  // The warehouse ships from Hamburg (Inventory > Configuration > Warehouses > Address): dispatch reads it as the ship-from address.
  const warehouseAddress = await call<number>('res.partner', 'create', [
    { ...WAREHOUSE_ADDRESS, is_company: true, country_id: countryIds.DE },
  ]);
  await call('stock.warehouse', 'write', [[WAREHOUSE], { partner_id: warehouseAddress }]);
  const tagIds: Record<string, number> = {};
  for (const tag of ['Key Account', 'Standard', 'New Customer'])
    tagIds[tag] = await call<number>('res.partner.category', 'create', [{ name: tag }]);
  const tagOf = { A: 'Key Account', B: 'Standard', C: 'New Customer' } as const;

  const products: DemoProduct[] = [];
  const categoryIds: Record<string, number> = {};
  for (const spec of PRODUCTS) {
    categoryIds[spec.category] ??= await call<number>('product.category', 'create', [
      { name: spec.category },
    ]);
    const template = await call<number>('product.template', 'create', [
      {
        name: spec.name,
        type: 'product',
        list_price: spec.price,
        standard_price: spec.cost,
        weight: spec.weightKg,
        invoice_policy: 'delivery',
        categ_id: categoryIds[spec.category],
      },
    ]);
    const id = await call<number>('product.product', 'create', [
      {
        product_tmpl_id: template,
        standard_price: spec.cost,
        default_code: spec.hazardous ? `HAZ-${template}` : `DEMO-${template}`,
      },
    ]);
    await call('stock.quant', 'create', [
      { product_id: id, location_id: WH_STOCK, quantity: 1_000_000 },
    ]);
    products.push({
      id,
      name: spec.name,
      price: spec.price,
      cost: spec.cost,
      weightKg: spec.weightKg,
      hazardous: spec.hazardous,
    });
  }

  // Shipping methods for the carriers Crossdock books (Odoo: Inventory > Configuration > Shipping Methods).
  for (const name of ['SwiftPost', 'Euroline', 'CargoPlus', 'ParcelNow']) {
    await call('delivery.carrier', 'create', [
      { name, delivery_type: 'fixed', product_id: DELIVERY_PRODUCT },
    ]);
  }

  const customers: DemoCustomer[] = [];
  for (const spec of CUSTOMERS) {
    const id = await call<number>('res.partner', 'create', [
      {
        name: spec.name,
        is_company: true,
        customer_rank: 1,
        country_id: countryIds[spec.country],
        zip: spec.zip,
        city: spec.city,
        street: spec.street,
        email: `orders@${spec.name
          .toLowerCase()
          .replace(/[^a-z]+/g, '-')
          .replace(/^-|-$/g, '')}.test`,
        credit_limit: spec.creditLimit,
        category_id: [[6, 0, [tagIds[tagOf[spec.customerClass]]]]],
        ...(spec.blocked
          ? { sale_warn: 'block', sale_warn_msg: 'Account on hold: unpaid dispute, see finance' }
          : {}),
      },
    ]);
    customers.push({
      id,
      name: spec.name,
      country: spec.country,
      customerClass: spec.customerClass,
      blocked: spec.blocked,
      creditLimit: spec.creditLimit,
      overdue: spec.overdue,
    });
    if (spec.overdue) await overdueInvoice(call, id, products[0]!.id, options.today);
  }
  return { customers, products, salespersonUid: 8 };
}

type Call = <T>(
  model: string,
  method: string,
  args: unknown[],
  kwargs?: Record<string, unknown>,
) => Promise<T>;

/** An old order, delivered and invoiced, whose invoice fell due 30 days ago unpaid. */
async function overdueInvoice(
  call: Call,
  partnerId: number,
  productId: number,
  today: Date,
): Promise<void> {
  const order = await call<number>('sale.order', 'create', [
    { partner_id: partnerId, order_line: [[0, 0, { product_id: productId, product_uom_qty: 10 }]] },
  ]);
  await call('sale.order', 'action_confirm', [[order]]);
  const pickings = await call<{ id: number }[]>(
    'stock.picking',
    'search_read',
    [[['sale_id', '=', order]]],
    { fields: ['id'] },
  );
  for (const picking of pickings) {
    const answer = await call<unknown>('stock.picking', 'button_validate', [[picking.id]]);
    if (answer !== true)
      throw new Error(
        `demo seed: validating the delivery of order ${order} returned ${JSON.stringify(answer)}`,
      );
  }
  const wizard = await call<number>(
    'sale.advance.payment.inv',
    'create',
    [{ advance_payment_method: 'delivered' }],
    { context: { active_model: 'sale.order', active_ids: [order], active_id: order } },
  );
  await call('sale.advance.payment.inv', 'create_invoices', [[wizard]], {
    context: { active_model: 'sale.order', active_ids: [order], active_id: order },
  });
  const [{ name }] = await call<[{ name: string }]>('sale.order', 'read', [[order]], {
    fields: ['name'],
  });
  const invoices = await call<{ id: number }[]>(
    'account.move',
    'search_read',
    [
      [
        ['invoice_origin', '=', name],
        ['state', '=', 'draft'],
      ],
    ],
    { fields: ['id'] },
  );
  if (invoices.length === 0) throw new Error(`demo seed: no draft invoice for ${name}`);
  const ids = invoices.map((i) => i.id);
  await call('account.move', 'action_post', [ids]);
  const due = new Date(today.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  await call('account.move', 'write', [ids, { invoice_date_due: due }]);
  // Old: confirmed and delivered 60 days ago, before the demo's Crossdock was there (so the
  // reconciliation sweep's window, the last 7 days, does not take it for a fall-through).
  const long = new Date(today.getTime() - 60 * 86_400_000).toISOString().slice(0, 10);
  await call('sale.order', 'write', [[order], { date_order: `${long} 09:00:00` }]);
  await call('stock.picking', 'write', [
    pickings.map((p) => p.id),
    { date_done: `${long} 15:00:00` },
  ]);
}
