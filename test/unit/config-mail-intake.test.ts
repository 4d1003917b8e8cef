import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    const e = error as { code: string; details: { path: string; message: string }[] };
    assert.equal(e.code, 'CONFIG_INVALID');
    return e.details.map((d) => `${d.path}: ${d.message}`);
  }
  return [];
};

test('no SMTP endpoint unless its port is set', () => {
  assert.equal(loadConfig({}).mailIntake, null);
});

test('the SMTP endpoint with its mailboxes, limits and allow-list', () => {
  const config = loadConfig({
    CROSSDOCK_MAIL_INTAKE_PORT: '2525',
    CROSSDOCK_MAIL_INTAKE_ALLOW_IPS: '10.0.4.12, 192.168.0.0/16',
    CROSSDOCK_MAIL_INBOX_SUPPLIERS: 'Delays@Crossdock.example.com,@suppliers.example.com',
    CROSSDOCK_MAIL_INBOX_CARRIER_DESK: 'tracking@crossdock.example.com',
  });
  assert.deepEqual(config.mailIntake, {
    host: '127.0.0.1',
    port: 2525,
    maxMessageBytes: 10 * 1024 * 1024,
    maxAttachmentBytes: 5 * 1024 * 1024,
    allowIps: ['10.0.4.12', '192.168.0.0/16'],
    mailboxes: [
      { name: 'suppliers', recipients: ['delays@crossdock.example.com', '@suppliers.example.com'] },
      { name: 'carrier-desk', recipients: ['tracking@crossdock.example.com'] },
    ],
  });
});

test('bad mail settings are named, never ignored', () => {
  assert.deepEqual(problems({ CROSSDOCK_MAIL_INBOX_SUPPLIERS: 'delays@crossdock.example.com' }), [
    'CROSSDOCK_MAIL_INBOX_SUPPLIERS: set CROSSDOCK_MAIL_INTAKE_PORT too (without it there is no mail endpoint)',
  ]);
  assert.deepEqual(problems({ CROSSDOCK_MAIL_INTAKE_PORT: '2525' }), [
    'CROSSDOCK_MAIL_INTAKE_PORT: name at least one mailbox (CROSSDOCK_MAIL_INBOX_<NAME>=address,@domain)',
  ]);
  assert.deepEqual(
    problems({
      CROSSDOCK_MAIL_INTAKE_PORT: '2525',
      CROSSDOCK_MAIL_INTAKE_ALLOW_IPS: 'everyone',
      CROSSDOCK_MAIL_INBOX_A: 'not an address',
    }).sort(),
    [
      'CROSSDOCK_MAIL_INBOX_A: not an address or @domain: not an address',
      'CROSSDOCK_MAIL_INTAKE_ALLOW_IPS: must be IP addresses or IPv4 ranges (10.0.0.0/8), comma-separated',
    ],
  );
  assert.deepEqual(
    problems({
      CROSSDOCK_MAIL_INTAKE_PORT: '2525',
      CROSSDOCK_MAIL_INBOX_A: 'x@crossdock.example.com',
      CROSSDOCK_MAIL_INBOX_B: 'x@crossdock.example.com',
    }),
    ['CROSSDOCK_MAIL_INBOX_B: already in CROSSDOCK_MAIL_INBOX_A: x@crossdock.example.com'],
  );
});
