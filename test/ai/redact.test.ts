/**
 * What leaves for an AI provider about a case: personal data and secrets replaced by
 * placeholders, the rest (references, codes, amounts, dates) kept so the model can work.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { personalKey, redactCase } from '../../src/ai/index.ts';

test('values under personal keys go whole, and their text goes wherever else it appears', () => {
  const r = redactCase({
    title: 'Order SO0042 refused by Jane Whitfield; Whitfield asks for a call',
    code: 'DELIVERY_REFUSED',
    severity: 'high',
    details: {
      customer_name: 'Jane Whitfield',
      contact: { email: 'jw@example.org', phone: '+1 (555) 010-9999' },
      shipTo: { street: '12 Rose Lane', city: 'Leeds', zip: 'LS1 4AP' },
      product_name: 'Pallet jack',
      note: 'Jane was not home',
      api_key: 'sk-live-abcdefghijklmnop',
    },
  });
  for (const gone of [
    'Jane',
    'Whitfield',
    'jw@example.org',
    '555',
    'Rose Lane',
    'Leeds',
    'LS1',
    'sk-live',
  ])
    assert.ok(!r.text.includes(gone), `${gone} was sent: ${r.text}`);
  assert.match(r.text, /title: Order SO0042 refused by \[person\]; \[person\] asks for a call/);
  assert.match(r.text, /"product_name":"Pallet jack"/);
  assert.match(r.text, /"api_key":"\[secret\]"/);
  assert.match(r.text, /"note":"\[person\] was not home"/);
  assert.equal(r.counts.secret, 1);
  assert.ok(r.counts.person >= 4);
});

test('in free text: e-mail, phone numbers, titled names, street addresses and tokens', () => {
  const r = redactCase({
    title: 'Carrier call',
    code: null,
    severity: 'medium',
    details: {
      note:
        'Mrs. Okafor (okafor@carrier.example, 030 1234 5678 or 0612345678) says 221B Baker Street ' +
        'is closed; Dr Chen agreed. Token Bearer abc.def.ghi123 was pasted by mistake.',
    },
  });
  for (const gone of [
    'Okafor',
    'carrier.example',
    '1234 5678',
    '0612345678',
    'Baker Street',
    'Chen',
    'abc.def',
  ])
    assert.ok(!r.text.includes(gone), `${gone} was sent: ${r.text}`);
  assert.equal(r.counts.email, 1);
  assert.equal(r.counts.phone, 2);
  assert.equal(r.counts.secret, 1);
});

test('references, amounts, dates and times are not mistaken for phone numbers', () => {
  const r = redactCase({
    title: 'PO00017 late: new date 2026-03-14, was 14/03/2026',
    code: 'PO_LATE',
    severity: 'low',
    details: {
      amount: '12500.00',
      tracking: '1Z999AA10123456784',
      picking: 'WH/OUT/00042',
      qty: 1200000,
      at: '2026-03-02T09:00:00Z',
    },
  });
  for (const kept of [
    'PO00017',
    '2026-03-14',
    '14/03/2026',
    '12500.00',
    '1Z999AA10123456784',
    'WH/OUT/00042',
    '1200000',
    '2026-03-02T09:00:00Z',
  ])
    assert.ok(r.text.includes(kept), `${kept} was removed: ${r.text}`);
  assert.deepEqual(r.counts, { person: 0, email: 0, phone: 0, address: 0, secret: 0 });
});

test('which keys are personal', () => {
  const cases: [string, string | null][] = [
    ['name', 'person'],
    ['contactName', 'person'],
    ['partner_name', 'person'],
    ['driver', 'person'],
    ['customer_email', 'email'],
    ['mobile', 'phone'],
    ['delivery_address', 'address'],
    ['password', 'secret'],
    ['product_name', null],
    ['carrier_name', null],
    ['order', null],
    ['reason', null],
  ];
  for (const [key, expected] of cases) assert.equal(personalKey(key), expected, key);
});
