/**
 * The shops file (CROSSDOCK_SHOP_CONFIG): defaults, every bad path listed, secrets from the
 * environment only; and the stock levels a shop is given from Odoo's quants.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { levelsAt, parseShops } from '../../src/connectors/shop/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

const shop = (extra: Record<string, unknown> = {}) => ({
  code: 'webshop',
  name: 'Web shop',
  webhook: { secret_env: 'SHOP_HOOK' },
  api: { url: 'https://shop.example/', token_env: 'SHOP_TOKEN' },
  stock: { odoo_location_id: 8, shop_location_id: 'gid://shop/Location/1' },
  ...extra,
});
const ENV = { SHOP_HOOK: 'hook-secret-of-some-length', SHOP_TOKEN: 'token-of-some-length-1' };

function refusal(value: unknown, env: Record<string, string> = ENV): string {
  try {
    parseShops(value, env);
  } catch (error) {
    assert.ok(error instanceof CrossdockError && error.code === 'SHOP_CONFIG_INVALID');
    return error.message;
  }
  assert.fail('accepted');
}

describe('shop configuration', () => {
  test('a shop with its defaults: the usual headers, no prefix, the API url without its trailing slash', () => {
    const [s] = parseShops({ shops: [shop()] }, ENV);
    assert.deepEqual(s!.webhook, {
      secret: ENV.SHOP_HOOK,
      signatureHeader: 'x-shop-hmac-sha256',
      topicHeader: 'x-shop-topic',
    });
    assert.equal(s!.orderRefPrefix, '');
    assert.equal(s!.api!.url, 'https://shop.example');
    assert.equal(s!.api!.tokenHeader, 'x-shop-access-token');
    assert.deepEqual(s!.odoo, { connection: 'odoo', salespersonId: null, shippingProduct: null });
    assert.deepEqual(s!.refunds, { postUpTo: null }, 'every credit note posted');
  });

  test('stock at several locations: a list, each shop location once', () => {
    const [one] = parseShops({ shops: [shop()] }, ENV);
    assert.deepEqual(one!.stock, [{ odooLocationId: 8, shopLocationId: 'gid://shop/Location/1' }]);
    const two = [
      { odoo_location_id: 8, shop_location_id: 'gid://shop/Location/1' },
      { odoo_location_id: 20, shop_location_id: 'gid://shop/Location/2' },
    ];
    assert.deepEqual(parseShops({ shops: [shop({ stock: two })] }, ENV)[0]!.stock, [
      { odooLocationId: 8, shopLocationId: 'gid://shop/Location/1' },
      { odooLocationId: 20, shopLocationId: 'gid://shop/Location/2' },
    ]);
    assert.match(
      refusal({
        shops: [
          shop({ stock: [two[0], { ...two[1], shop_location_id: 'gid://shop/Location/1' }] }),
        ],
      }),
      /shops\.0\.stock\.1\.shop_location_id: "gid:\/\/shop\/Location\/1" is also stock\.0/,
    );
  });

  test('refunds: a posting limit is taken; a negative one or an unknown key is refused by path', () => {
    const [s] = parseShops({ shops: [shop({ refunds: { post_up_to: 250 } })] }, ENV);
    assert.deepEqual(s!.refunds, { postUpTo: 250 });
    assert.match(
      refusal({ shops: [shop({ refunds: { post_up_to: -1 } })] }),
      /shops\.0\.refunds\.post_up_to/,
    );
    assert.match(refusal({ shops: [shop({ refunds: { post: true } })] }), /shops\.0\.refunds/);
  });

  test('every bad path is named: a missing secret variable, stock without an api, a code used twice, one prefix for two shops', () => {
    const message = refusal(
      {
        shops: [
          shop(),
          shop({ api: undefined, order_ref_prefix: 'B' }),
          shop({ code: 'other', webhook: { secret_env: 'UNSET_VAR' } }),
        ],
      },
      ENV,
    );
    assert.match(message, /shops\.1\.stock: stock needs the shop api/);
    assert.match(message, /shops\.1\.code: "webshop" is used twice/);
    assert.match(message, /shops\.2\.webhook\.secret_env: the variable UNSET_VAR is unset/);
    assert.match(message, /shops\.2\.order_ref_prefix: the same as shops\.0/);
  });

  test('a secret in the file itself is refused', () => {
    assert.match(
      refusal({ shops: [shop({ webhook: { secret: 'in-the-file-0123456789' } })] }),
      /shops\.0\.webhook/,
    );
  });
});

describe('stock levels from quants', () => {
  const locations = [
    { id: 8, location_id: [7, 'WH'] as [number, string] },
    { id: 30, location_id: [8, 'WH/Stock'] as [number, string] },
    { id: 40, location_id: [7, 'WH'] as [number, string] },
  ];
  const quant = (
    product: number,
    location: number,
    quantity: number,
    reserved: number,
    at: string,
  ) => ({
    product_id: [product, `P${product}`] as [number, string],
    location_id: [location, `L${location}`] as [number, string],
    quantity,
    reserved_quantity: reserved,
    write_date: at,
  });

  test('free quantity under the location, children included, whole units, never below zero; the newest write_date is the version', () => {
    const levels = levelsAt(
      8,
      [
        quant(1, 8, 10, 3, '2026-12-01 10:00:00'),
        quant(1, 30, 2.5, 0, '2026-12-02 09:00:00'),
        quant(1, 40, 100, 0, '2026-12-03 00:00:00'), // another location: not counted
        quant(2, 8, 1, 4, '2026-12-01 08:00:00'),
      ],
      locations,
      [
        { id: 1, default_code: 'CHAIR' },
        { id: 2, default_code: 'LAMP' },
        { id: 3, default_code: 'DESK' },
        { id: 4, default_code: false },
      ],
    );
    assert.deepEqual(levels, [
      { sku: 'CHAIR', available: 9, version: '2026-12-02 09:00:00' },
      { sku: 'LAMP', available: 0, version: '2026-12-01 08:00:00' },
      { sku: 'DESK', available: 0, version: '' },
    ]);
  });
});
