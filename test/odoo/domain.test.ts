import { test } from 'node:test';
import assert from 'node:assert/strict';
import { and, leaf, not, or, toDomain, where } from '../../src/connectors/odoo/index.ts';
import { loadFixture } from './support/fixtures.ts';

function recordedDomain(fixtureName: string): unknown {
  const body = loadFixture(fixtureName).request.body as { params: { args: unknown[] } };
  return (body.params.args[5] as unknown[])[0];
}

test('builds the prefix OR domain recorded in execute_kw-search_read-sale.order-or-domain', () => {
  const domain = toDomain(or(where.eq('partner_id', 10), where.eq('partner_id', 12)));
  assert.deepEqual(domain, recordedDomain('execute_kw-search_read-sale.order-or-domain'));
});

test("a top-level AND is Odoo's implicit AND, as in the customer query", () => {
  const domain = toDomain(and(where.gt('customer_rank', 0), where.eq('is_company', true)));
  assert.deepEqual(domain, recordedDomain('execute_kw-search_read-res.partner-customers'));
  assert.deepEqual(
    toDomain(and(where.in('state', ['draft', 'sent']))),
    recordedDomain('execute_kw-search_read-sale.order-state-in'),
  );
  assert.deepEqual(toDomain(and()), []);
});

test('nested groups get explicit operators, n operands taking n-1 operators', () => {
  const condition = and(
    where.eq('state', 'sale'),
    or(where.eq('partner_id', 10), where.eq('partner_id', 11), where.eq('partner_id', 12)),
    not(where.ilike('name', 'test')),
  );
  assert.deepEqual(toDomain(condition), [
    ['state', '=', 'sale'],
    '|',
    '|',
    ['partner_id', '=', 10],
    ['partner_id', '=', 11],
    ['partner_id', '=', 12],
    '!',
    ['name', 'ilike', 'test'],
  ]);
  assert.deepEqual(toDomain(or(and(where.eq('a', 1), where.eq('b', 2)), where.eq('c', 3))), [
    '|',
    '&',
    ['a', '=', 1],
    ['b', '=', 2],
    ['c', '=', 3],
  ]);
});

test('empty groups become Odoo\'s constant leaves; dotted paths and "any" are supported', () => {
  assert.deepEqual(toDomain(or()), [[0, '=', 1]]);
  assert.deepEqual(toDomain(not(and())), ['!', [1, '=', 1]]);
  assert.deepEqual(toDomain(and(where.eq('location_id.usage', 'internal'))), [
    ['location_id.usage', '=', 'internal'],
  ]);
  assert.deepEqual(toDomain(and(where.any('order_line', and(where.eq('product_id', 32))))), [
    ['order_line', 'any', [['product_id', '=', 32]]],
  ]);
  assert.deepEqual(toDomain(and(where.isNotSet('commitment_date'))), [
    ['commitment_date', '=', false],
  ]);
});

test('invalid field paths and operators are refused before reaching Odoo', () => {
  assert.throws(() => leaf("name') or 1=1 --", '=', 'x'), { code: 'ODOO_INVALID_DOMAIN' });
  assert.throws(() => leaf('name', 'likeish' as '=', 'S0'), { code: 'ODOO_INVALID_DOMAIN' });
});
