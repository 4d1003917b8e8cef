import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHint } from '../../src/connectors/odoo/ingest/index.ts';

test('a hint keeps the write_date Odoo sent, microseconds included, and refuses one that is not an Odoo datetime', () => {
  const body = {
    _action: 'Send Webhook Notification(#453)',
    _id: 31,
    _model: 'sale.order',
    id: 31,
    state: 'sale',
    write_date: '2026-11-22 04:31:10.992157',
  };
  assert.equal(parseHint(body).writeDate, '2026-11-22 04:31:10.992157');
  assert.equal(
    parseHint({ ...body, write_date: '2026-11-22 04:31:10' }).writeDate,
    '2026-11-22 04:31:10',
  );
  assert.equal(parseHint({ ...body, write_date: false }).writeDate, null);
  for (const wrong of ['2026-11-22T04:31:10Z', 'yesterday', "2026-11-22 04:31:10' OR 1=1", 17]) {
    assert.throws(
      () => parseHint({ ...body, write_date: wrong }),
      (error: { code: string; details: { path: string }[] }) =>
        error.code === 'ODOO_HINT_INVALID' && error.details[0]?.path === 'write_date',
      String(wrong),
    );
  }
});
