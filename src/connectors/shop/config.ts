/**
 * Shops (CROSSDOCK_SHOP_CONFIG): how each proves its webhooks are its own, the order numbers
 * Odoo shows, where its Admin API takes inventory levels, and which Odoo stock it shows.
 * An invalid file is refused with every bad path listed; secrets come from environment
 * variables the file names, never from the file.
 */
import { z } from 'zod';
import { readYamlFile } from '../../workflows/index.ts';
import { CrossdockError, type ErrorDetail } from '../../errors/index.ts';
import { ShipByConfigSchema, type ShipByPolicy } from './ship-by.ts';

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. SHOP_WEBHOOK_SECRET');
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name');

const StockLocationSchema = z.strictObject({
  /** The Odoo location whose free quantity (on hand less reserved, its children included) the shop shows. */
  odoo_location_id: z.int().positive(),
  /** The shop's location the levels are set at. */
  shop_location_id: z.string().min(1).max(200),
});

const ShopSchema = z.strictObject({
  /** Used in /hooks/shop/<code>, event sources (shop.<code>) and steps. */
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-"'),
  name: z.string().min(1).max(200),
  /** How the shop signs its webhooks: base64 HMAC-SHA256 of the raw body in this header. */
  webhook: z.strictObject({
    secret_env: envName,
    signature_header: headerName.default('x-shop-hmac-sha256'),
    topic_header: headerName.default('x-shop-topic'),
  }),
  /** Put before the shop's order name (#1001) in client_order_ref; unique across shops. */
  order_ref_prefix: z
    .string()
    .regex(/^[A-Za-z0-9-]{0,16}$/, 'up to 16 letters, digits or "-"')
    .default(''),
  /** The shop's Admin API: where stock levels go. Without it, no stock is pushed. */
  api: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      token_env: envName,
      token_header: headerName.default('x-shop-access-token'),
      timeout_ms: z.int().min(100).max(120_000).default(10_000),
    })
    .optional(),
  /** One location, or a list: each shop location shows the free quantity of its Odoo location. */
  stock: z.union([StockLocationSchema, z.array(StockLocationSchema).min(1).max(50)]).optional(),
  odoo: z
    .strictObject({
      connection: z.string().min(1).default('odoo'),
      /** The salesperson on the orders (res.users id); Odoo's default when absent. */
      salesperson_id: z.int().positive().optional(),
      /** A service product (internal reference) for the shipping charge; without it, shipping is not invoiced. */
      shipping_product: z.string().min(1).max(64).optional(),
    })
    .default({ connection: 'odoo' }),
  /** What a refund in the shop does in Odoo: a credit note of the invoice, posted up to an amount. */
  refunds: z
    .strictObject({
      /** The largest refund whose credit note is posted at once; above it the credit note stays draft for finance. Absent: every one is posted. */
      post_up_to: z.number().nonnegative().optional(),
    })
    .default({}),
  /** Ship-by: the SLA for orders that carry no latest_ship_date, and when a delivery is urgent or at risk. */
  ship_by: ShipByConfigSchema.default({ urgent_within_hours: 24, at_risk_hours: 4 }),
});
type ShopInput = z.output<typeof ShopSchema>;

const FileSchema = z.strictObject({ shops: z.array(ShopSchema).min(1) });

export interface Shop {
  code: string;
  name: string;
  webhook: { secret: string; signatureHeader: string; topicHeader: string };
  orderRefPrefix: string;
  api: { url: string; token: string; tokenHeader: string; timeoutMs: number } | null;
  /** Each shop location and the Odoo location whose stock it shows (null: no stock pushed). */
  stock: { odooLocationId: number; shopLocationId: string }[] | null;
  odoo: { connection: string; salespersonId: number | null; shippingProduct: string | null };
  /** `postUpTo`: the largest refund whose credit note is posted at once (null: every one). */
  refunds: { postUpTo: number | null };
  shipBy: ShipByPolicy;
}

type Env = Readonly<Record<string, string | undefined>>;

function secretOf(name: string, path: string, env: Env, problems: ErrorDetail[]): string {
  const value = env[name];
  if (value === undefined || value.length < 16)
    problems.push({ path, message: `the variable ${name} is unset or under 16 characters` });
  return value ?? '';
}

function toShop(s: ShopInput, i: number, env: Env, problems: ErrorDetail[]): Shop {
  if (s.stock && !s.api)
    problems.push({ path: `shops.${i}.stock`, message: 'stock needs the shop api to push to' });
  if (s.ship_by.at_risk_hours > s.ship_by.urgent_within_hours)
    problems.push({
      path: `shops.${i}.ship_by.at_risk_hours`,
      message: `${s.ship_by.at_risk_hours} is more than urgent_within_hours (${s.ship_by.urgent_within_hours}): an order at risk is urgent already`,
    });
  return {
    code: s.code,
    name: s.name,
    webhook: {
      secret: secretOf(s.webhook.secret_env, `shops.${i}.webhook.secret_env`, env, problems),
      signatureHeader: s.webhook.signature_header,
      topicHeader: s.webhook.topic_header,
    },
    orderRefPrefix: s.order_ref_prefix,
    api: s.api
      ? {
          url: s.api.url.replace(/\/+$/, ''),
          token: secretOf(s.api.token_env, `shops.${i}.api.token_env`, env, problems),
          tokenHeader: s.api.token_header,
          timeoutMs: s.api.timeout_ms,
        }
      : null,
    stock: s.stock ? stockLocations(s.stock, i, problems) : null,
    odoo: {
      connection: s.odoo.connection,
      salespersonId: s.odoo.salesperson_id ?? null,
      shippingProduct: s.odoo.shipping_product ?? null,
    },
    refunds: { postUpTo: s.refunds.post_up_to ?? null },
    shipBy: {
      sla: s.ship_by.sla ?? null,
      urgentWithinHours: s.ship_by.urgent_within_hours,
      atRiskHours: s.ship_by.at_risk_hours,
    },
  };
}

/** One entry or a list, as a list; a shop location named twice would take two quantities for one SKU. */
function stockLocations(
  stock: NonNullable<ShopInput['stock']>,
  i: number,
  problems: ErrorDetail[],
): { odooLocationId: number; shopLocationId: string }[] {
  const list = Array.isArray(stock) ? stock : [stock];
  list.forEach((l, j) => {
    const first = list.findIndex((o) => o.shop_location_id === l.shop_location_id);
    if (first !== j)
      problems.push({
        path: `shops.${i}.stock.${j}.shop_location_id`,
        message: `"${l.shop_location_id}" is also stock.${first}: one shop location shows one Odoo location`,
      });
  });
  return list.map((l) => ({
    odooLocationId: l.odoo_location_id,
    shopLocationId: l.shop_location_id,
  }));
}

/** Reads the shops from a parsed file (or an object given in code). */
export function parseShops(value: unknown, env: Env, where = 'shop configuration'): Shop[] {
  const parsed = FileSchema.safeParse(value);
  if (!parsed.success)
    invalid(
      where,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  const problems: ErrorDetail[] = [];
  const shops = parsed.data.shops.map((s, i) => toShop(s, i, env, problems));
  shops.forEach((shop, i) => {
    const same = shops.findIndex((s) => s.code === shop.code);
    if (same !== i)
      problems.push({ path: `shops.${i}.code`, message: `"${shop.code}" is used twice` });
    const prefix = shops.findIndex((s) => s.orderRefPrefix === shop.orderRefPrefix);
    if (prefix !== i)
      problems.push({
        path: `shops.${i}.order_ref_prefix`,
        message: `the same as shops.${prefix} (two shops' order #1001 would be one sale order)`,
      });
  });
  if (problems.length > 0) invalid(where, problems);
  return shops;
}

export function loadShops(path: string, env: Env): Shop[] {
  return parseShops(
    readYamlFile(path, (details) => invalid(path, details)),
    env,
    path,
  );
}

function invalid(where: string, details: ErrorDetail[]): never {
  throw new CrossdockError(
    'SHOP_CONFIG_INVALID',
    `Invalid shop configuration (${where}): ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    { category: 'user', retryable: false, details },
  );
}
