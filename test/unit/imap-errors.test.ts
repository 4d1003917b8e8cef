/** imapflow's failures mapped once into Crossdock's codes (src/connectors/mail/imap-errors.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imapError } from '../../src/connectors/mail/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

const where = {
  mailbox: 'suppliers',
  host: 'imap.example.com',
  folder: 'INBOX',
  password: 's3cret-pw',
};

test('each kind of failure has its code and category', () => {
  const cases: [object, string, string][] = [
    [
      { authenticationFailed: true, responseText: 'Invalid credentials' },
      'IMAP_AUTH_FAILED',
      'user',
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'IMAP_UNREACHABLE',
      'transient',
    ],
    [{ code: 'GREETING_TIMEOUT', message: 'no greeting' }, 'IMAP_UNREACHABLE', 'transient'],
    [
      { code: 'NoConnection', message: 'Connection not available' },
      'IMAP_CONNECTION_LOST',
      'transient',
    ],
    [{ code: 'ECONNRESET', message: 'reset' }, 'IMAP_CONNECTION_LOST', 'transient'],
    [
      { serverResponseCode: 'NONEXISTENT', responseText: 'Mailbox does not exist' },
      'IMAP_FOLDER_MISSING',
      'user',
    ],
    [{ code: 'ParserError3', message: 'bad token' }, 'IMAP_PROTOCOL_ERROR', 'transient'],
  ];
  for (const [thrown, code, category] of cases) {
    const e = imapError(thrown, where);
    assert.equal(e.code, code, JSON.stringify(thrown));
    assert.equal(e.category, category);
    assert.match(e.message, /IMAP mailbox suppliers \(imap\.example\.com\)/);
  }
});

test("ours pass through, a defect stays a defect, and the password is cut from the server's words", () => {
  const ours = new CrossdockError('STORE_UNAVAILABLE', 'down');
  assert.equal(imapError(ours, where), ours);
  assert.equal(imapError(new TypeError('x is undefined'), where).code, 'INTERNAL');
  const echoed = imapError(
    { authenticationFailed: true, responseText: 'LOGIN failed for s3cret-pw' },
    where,
  );
  assert.ok(!echoed.message.includes('s3cret-pw'));
  assert.match(echoed.message, /\*\*\*/);
});
