/**
 * The deliveries the delay-risk model learns from and scores, as Odoo records them: outgoing
 * transfers (`stock.picking`, `picking_type_code` outgoing), not cancelled, with a promised
 * date. Done ones validated since `since` are the history (late or on time); open ones are
 * scored. Reads only; a handful of calls per pass, whatever the number of deliveries:
 * the pickings, their partners and countries, their moves' products and categories, and
 * their operation types' warehouses.
 */
import { CrossdockError } from '../../errors/index.ts';
import { isLate, type DeliveryFeatures } from './features.ts';

/**
 * What the delay risk needs of an Odoo connection: model calls (reads only). The connector's
 * client is one; the composition root hands it over by connection name.
 */
export interface OdooReads {
  call<T = unknown>(
    model: string,
    method: string,
    args?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
  ): Promise<T>;
}

/** Odoo's naive UTC datetime ("YYYY-MM-DD HH:MM:SS") as a Date. */
function odooTime(value: string): Date {
  const date = new Date(`${value.slice(0, 19).replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime()))
    throw new CrossdockError('ODOO_VALUE_INVALID', `Odoo sent "${value}" where a datetime belongs`);
  return date;
}
const odooTimeString = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

export interface Delivery extends DeliveryFeatures {
  pickingId: number;
  /** The transfer's name (WH/OUT/00012). */
  picking: string;
  /** The sale order's name (the transfer's source document), null when it has none. */
  order: string | null;
  /** Which date was the promise: the customer's commitment (deadline) or the planned date. */
  promisedFrom: 'deadline' | 'scheduled';
  createdAt: Date;
  /** When it was validated; null while open. */
  done: Date | null;
  /** Done deliveries only: validated after the end of the promised day. */
  late: boolean | null;
}

type M2o = [number, string] | false;
interface PickingRow {
  id: number;
  name: string;
  origin: string | false;
  state: string;
  date_deadline: string | false;
  scheduled_date: string | false;
  date_done: string | false;
  create_date: string | false;
  carrier_id: M2o;
  partner_id: M2o;
  picking_type_id: M2o;
}

const idOf = (v: M2o) => (v === false ? null : v[0]);
const unique = (ids: (number | null)[]) => [...new Set(ids.filter((i): i is number => i !== null))];

/** How many pickings one pass reads at most (history and open together). */
export const MAX_DELIVERIES = 5000;

export async function readDeliveries(
  client: OdooReads,
  since: Date,
): Promise<{ history: Delivery[]; open: Delivery[] }> {
  const pickings = await client.call<PickingRow[]>(
    'stock.picking',
    'search_read',
    [
      [
        ['picking_type_code', '=', 'outgoing'],
        ['state', '!=', 'cancel'],
        '|',
        ['state', '!=', 'done'],
        ['date_done', '>=', odooTimeString(since)],
      ],
    ],
    {
      fields: [
        'name',
        'origin',
        'state',
        'date_deadline',
        'scheduled_date',
        'date_done',
        'create_date',
        'carrier_id',
        'partner_id',
        'picking_type_id',
      ],
      // The newest first: past the limit, the oldest history is what is left out.
      order: 'id desc',
      limit: MAX_DELIVERIES,
    },
  );
  const [destinations, classes, warehouses] = await Promise.all([
    readDestinations(client, unique(pickings.map((p) => idOf(p.partner_id)))),
    readProductClasses(
      client,
      pickings.map((p) => p.id),
    ),
    readWarehouses(client, unique(pickings.map((p) => idOf(p.picking_type_id)))),
  ]);
  const deliveries: Delivery[] = [];
  for (const p of pickings) {
    const promise = p.date_deadline || p.scheduled_date;
    if (!promise) continue;
    const promised = odooTime(promise);
    const done = p.state === 'done' && p.date_done ? odooTime(p.date_done) : null;
    if (p.state === 'done' && done === null) continue; // validated, but its date not written yet
    const destination = destinations.get(idOf(p.partner_id) ?? 0);
    deliveries.push({
      pickingId: p.id,
      picking: p.name,
      order: p.origin || null,
      promised,
      promisedFrom: p.date_deadline ? 'deadline' : 'scheduled',
      // Odoo always writes create_date; a record imported without it counts from its planned date.
      createdAt: odooTime(p.create_date || p.scheduled_date || promise),
      done,
      late: done === null ? null : isLate(promised, done),
      carrier: p.carrier_id === false ? null : p.carrier_id[1],
      warehouse: warehouses.get(idOf(p.picking_type_id) ?? 0) ?? 'unknown',
      country: destination?.country ?? null,
      zip: destination?.zip ?? null,
      productClass: classes.get(p.id) ?? null,
      backlog: 0,
    });
  }
  withBacklog(deliveries);
  return {
    history: deliveries.filter((d) => d.done !== null),
    open: deliveries.filter((d) => d.done === null),
  };
}

/**
 * The backlog of each delivery: the deliveries of its warehouse open when it was created
 * (created before it, not yet validated then). Counted among the deliveries read, so a
 * delivery validated before the history's window does not count for the oldest ones.
 */
function withBacklog(deliveries: Delivery[]): void {
  for (const d of deliveries) {
    const at = d.createdAt.getTime();
    d.backlog = deliveries.filter(
      (e) =>
        e !== d &&
        e.warehouse === d.warehouse &&
        e.createdAt.getTime() <= at &&
        (e.done === null || e.done.getTime() > at),
    ).length;
  }
}

async function readDestinations(
  client: OdooReads,
  ids: number[],
): Promise<Map<number, { country: string | null; zip: string | null }>> {
  if (ids.length === 0) return new Map();
  const partners = await client.call<{ id: number; zip: string | false; country_id: M2o }[]>(
    'res.partner',
    'read',
    [ids],
    { fields: ['zip', 'country_id'] },
  );
  const countryIds = unique(partners.map((p) => idOf(p.country_id)));
  const countries = countryIds.length
    ? await client.call<{ id: number; code: string }[]>('res.country', 'read', [countryIds], {
        fields: ['code'],
      })
    : [];
  const code = new Map(countries.map((c) => [c.id, c.code]));
  return new Map(
    partners.map((p) => [
      p.id,
      { country: code.get(idOf(p.country_id) ?? 0) ?? null, zip: p.zip || null },
    ]),
  );
}

/** The product category (its last part: "All / Saleable / Furniture" is Furniture) of each picking's first move. */
async function readProductClasses(
  client: OdooReads,
  pickingIds: number[],
): Promise<Map<number, string>> {
  if (pickingIds.length === 0) return new Map();
  const moves = await client.call<{ picking_id: M2o; product_id: M2o }[]>(
    'stock.move',
    'search_read',
    [[['picking_id', 'in', pickingIds]]],
    { fields: ['picking_id', 'product_id'], order: 'id' },
  );
  const productIds = unique(moves.map((m) => idOf(m.product_id)));
  const products = productIds.length
    ? await client.call<{ id: number; categ_id: M2o }[]>('product.product', 'read', [productIds], {
        fields: ['categ_id'],
      })
    : [];
  const category = new Map(
    products.map((p) => [p.id, p.categ_id === false ? null : p.categ_id[1]]),
  );
  const out = new Map<number, string>();
  for (const m of moves) {
    const picking = idOf(m.picking_id);
    const name = category.get(idOf(m.product_id) ?? 0);
    if (picking === null || !name || out.has(picking)) continue;
    out.set(picking, name.split('/').pop()!.trim());
  }
  return out;
}

/** The warehouse code of each operation type. */
async function readWarehouses(client: OdooReads, typeIds: number[]): Promise<Map<number, string>> {
  if (typeIds.length === 0) return new Map();
  const types = await client.call<{ id: number; warehouse_id: M2o }[]>(
    'stock.picking.type',
    'read',
    [typeIds],
    { fields: ['warehouse_id'] },
  );
  const warehouseIds = unique(types.map((t) => idOf(t.warehouse_id)));
  const warehouses = warehouseIds.length
    ? await client.call<{ id: number; code: string | false; name: string }[]>(
        'stock.warehouse',
        'read',
        [warehouseIds],
        { fields: ['code', 'name'] },
      )
    : [];
  const code = new Map(warehouses.map((w) => [w.id, w.code || w.name]));
  return new Map(
    types.map((t) => [t.id, code.get(idOf(t.warehouse_id) ?? 0) ?? 'unknown'] as const),
  );
}
