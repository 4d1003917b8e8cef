import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Command,
  formatOdooDate,
  formatOdooDatetime,
  fromOdooOptional,
  many2oneId,
  many2oneName,
  optionalOdooDatetime,
  parseOdooDate,
  parseOdooDatetime,
  parseRecordsetString,
  recordIdsFromResult,
  toOdooOptional,
} from '../../src/connectors/odoo/index.ts';
import { loadFixture } from './support/fixtures.ts';

test('many2one reads as [id, name] in RPC reads and as a bare id in webhook payloads', () => {
  const order = (
    loadFixture('execute_kw-read-sale.order').response.body as {
      result: Array<Record<string, unknown>>;
    }
  ).result[0];
  assert.equal(many2oneId(order?.partner_id), 11);
  assert.equal(many2oneName(order?.partner_id), 'Gemini Furniture');
  const hint = loadFixture('webhook-out-w1-confirm-02-odoo-sale-confirmed').request.body as Record<
    string,
    unknown
  >;
  assert.equal(many2oneId(hint.partner_id), 10);
  assert.equal(many2oneId(false), null);
  assert.equal(many2oneName(false), null);
  assert.throws(() => many2oneId('Deco Addict'), { code: 'ODOO_VALUE_INVALID' });
  assert.throws(() => many2oneName(10), { code: 'ODOO_VALUE_INVALID' });
});

test("false is Odoo's empty value; null and undefined are not silently accepted", () => {
  assert.equal(fromOdooOptional<string | false>(false), null);
  assert.equal(fromOdooOptional('LAB-A-0001'), 'LAB-A-0001');
  assert.throws(() => fromOdooOptional(null as unknown as false), { code: 'ODOO_VALUE_INVALID' });
  assert.equal(toOdooOptional(null), false);
  assert.equal(toOdooOptional('x'), 'x');
});

test('naive UTC datetimes convert to and from Date', () => {
  const date = parseOdooDatetime('2026-11-22 04:26:11');
  assert.equal(date.toISOString(), '2026-11-22T04:26:11.000Z');
  assert.equal(formatOdooDatetime(date), '2026-11-22 04:26:11');
  assert.equal(parseOdooDatetime('2026-11-22T02:24:59').toISOString(), '2026-11-22T02:24:59.000Z');
  assert.equal(
    parseOdooDatetime('2026-11-22 04:31:10.992157').toISOString(),
    '2026-11-22T04:31:10.992Z',
  );
  assert.equal(
    formatOdooDatetime(new Date('2026-11-22T05:26:11.750+01:00')),
    '2026-11-22 04:26:11',
  );
  assert.equal(optionalOdooDatetime(false), null);
  assert.throws(() => parseOdooDatetime('2026-02-30 00:00:00'), { code: 'ODOO_VALUE_INVALID' });
  assert.throws(() => parseOdooDatetime('22/11/2026'), { code: 'ODOO_VALUE_INVALID' });
  assert.equal(formatOdooDate(parseOdooDate('2026-12-05')), '2026-12-05');
  assert.throws(() => parseOdooDate('2026-12-05 00:00:00'), { code: 'ODOO_VALUE_INVALID' });
});

test('recordset strings returned by JSON-RPC are parsed, other strings are not', () => {
  const result = (loadFixture('chatter-activity_schedule').response.body as { result: string })
    .result;
  assert.deepEqual(parseRecordsetString(result), { model: 'mail.activity', ids: [18] });
  assert.deepEqual(parseRecordsetString('mail.activity(18, 19)'), {
    model: 'mail.activity',
    ids: [18, 19],
  });
  assert.deepEqual(parseRecordsetString('mail.activity()'), { model: 'mail.activity', ids: [] });
  assert.equal(parseRecordsetString('See http://openerp.com'), null);
  assert.deepEqual(recordIdsFromResult(result), [18]);
  assert.deepEqual(recordIdsFromResult(44), [44]);
  assert.deepEqual(recordIdsFromResult([26]), [26]);
  assert.throws(() => recordIdsFromResult('S00025'), { code: 'ODOO_VALUE_INVALID' });
});

test("x2many command helpers produce Odoo's command tuples", () => {
  assert.deepEqual(Command.create({ product_id: 32 }), [0, 0, { product_id: 32 }]);
  assert.deepEqual(Command.update(7, { name: 'x' }), [1, 7, { name: 'x' }]);
  assert.deepEqual(Command.delete(7), [2, 7, 0]);
  assert.deepEqual(Command.unlink(7), [3, 7, 0]);
  assert.deepEqual(Command.link(30), [4, 30, 0]);
  assert.deepEqual(Command.clear(), [5, 0, 0]);
  assert.deepEqual(Command.set([7217]), [6, 0, [7217]]);
  // The shape flow-a-01 sent for its order lines.
  const sent = (
    loadFixture('flow-a-01-create-sale.order').request.body as { params: { args: unknown[] } }
  ).params.args[5] as Array<{ order_line: unknown }>;
  assert.deepEqual(sent[0]?.order_line, [
    Command.create({ product_id: 32, product_uom_qty: 3 }),
    Command.create({ product_id: 21, product_uom_qty: 2, price_unit: 150.0, discount: 10.0 }),
  ]);
});
