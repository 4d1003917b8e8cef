/**
 * The demo's shop: a storefront simulator whose orders reach Crossdock as signed webhooks
 * and whose inventory endpoint takes the stock levels Crossdock pushes (within its leaky-bucket
 * rate limit), with its configuration for Crossdock (CROSSDOCK_SHOP_CONFIG). Its SKUs are the
 * demo products' internal references; it shows the stock of WH/Stock. Secrets go to the
 * environment, never into the file.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { DemoCatalog } from './catalog.ts';
import { startShopSimulator, type OdooSimulator, type ShopSimulator } from './simulators.ts';

export const DEMO_SHOP = 'webshop';
/** The shop's location the levels are set at, and the Odoo location it shows (WH/Stock). */
export const DEMO_SHOP_LOCATION = 'gid://shop/Location/1';
export const DEMO_SHOP_ODOO_LOCATION = 8;
/** The service product (internal reference) shipping charges are invoiced with. */
export const DEMO_SHIP_PRODUCT = 'Delivery_007';
/** Refunds up to this amount get their credit note posted at once; larger ones wait for finance. */
export const DEMO_REFUND_POST_UP_TO = 500;

export interface DemoShop {
  shop: ShopSimulator;
  /** The SKUs the shop sells (internal references), by demo product name. */
  skus: Record<string, string>;
  env: Record<string, string>;
  configFile: string;
}

export async function startDemoShop(
  dir: string,
  odoo: OdooSimulator,
  catalog: DemoCatalog,
  keepCalls?: number,
): Promise<DemoShop> {
  const skus: Record<string, string> = {};
  for (const product of catalog.products) {
    const [row] = odoo.db.searchRead(
      'product.product',
      [['id', '=', product.id]],
      ['default_code'],
    );
    if (typeof row?.default_code === 'string') skus[product.name] = row.default_code;
  }
  const secrets = {
    CROSSDOCK_DEMO_SHOP_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
    CROSSDOCK_DEMO_SHOP_API_TOKEN: `shpat_${randomBytes(16).toString('hex')}`,
  };
  const shop = await startShopSimulator({
    webhookSecret: secrets.CROSSDOCK_DEMO_SHOP_WEBHOOK_SECRET,
    accessToken: secrets.CROSSDOCK_DEMO_SHOP_API_TOKEN,
    ...(keepCalls === undefined ? {} : { keepCalls }),
  });
  const configFile = join(dir, 'shops.yaml');
  const config = {
    shops: [
      {
        code: DEMO_SHOP,
        name: 'Demo web shop',
        webhook: { secret_env: 'CROSSDOCK_DEMO_SHOP_WEBHOOK_SECRET' },
        order_ref_prefix: 'WEB',
        api: { url: shop.url, token_env: 'CROSSDOCK_DEMO_SHOP_API_TOKEN' },
        stock: {
          odoo_location_id: DEMO_SHOP_ODOO_LOCATION,
          shop_location_id: DEMO_SHOP_LOCATION,
        },
        odoo: { salesperson_id: catalog.salespersonUid, shipping_product: DEMO_SHIP_PRODUCT },
        refunds: { post_up_to: DEMO_REFUND_POST_UP_TO },
      },
    ],
  };
  writeFileSync(configFile, `# The demo's shop (a simulator).\n${stringify(config)}`);
  Object.assign(process.env, secrets);
  return { shop, skus, env: { CROSSDOCK_SHOP_CONFIG: configFile }, configFile };
}
