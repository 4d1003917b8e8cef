/**
 * The IMAP mailboxes file (CROSSDOCK_MAIL_IMAP_CONFIG): defaults a person can rely on, and a
 * bad file refused with every bad path named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadImapMailboxes, parseImapMailboxes } from '../../src/connectors/mail/index.ts';
import type { CrossdockError } from '../../src/errors/index.ts';

const good = {
  name: 'suppliers',
  host: 'imap.example.com',
  tls: 'implicit',
  user: 'delays@example.com',
  password_secret: 'imap.suppliers',
};

const refusal = (value: unknown) => {
  try {
    parseImapMailboxes(value);
  } catch (error) {
    return error as CrossdockError;
  }
  assert.fail('the configuration was accepted');
};

test('a mailbox with only what it needs gets the documented defaults', () => {
  const [m] = parseImapMailboxes({ mailboxes: [good] });
  assert.deepEqual(m, {
    name: 'suppliers',
    host: 'imap.example.com',
    port: 993,
    tls: 'implicit',
    user: 'delays@example.com',
    passwordSecret: 'imap.suppliers',
    folder: 'INBOX',
    pollIntervalMs: 60_000,
    afterIntake: { action: 'seen' },
    caseAfterFailures: 3,
    maxAttachmentBytes: 10 * 1024 * 1024,
    batch: 50,
    timeoutMs: 30_000,
  });
  assert.equal(parseImapMailboxes({ mailboxes: [{ ...good, tls: 'starttls' }] })[0]!.port, 143);
});

test('each bad field is named: tls, a password in the file, the name, the move folder', () => {
  const e = refusal({
    mailboxes: [
      { ...good, tls: 'ssl' },
      { ...good, name: 'Carriers', password: 'hunter2' },
    ],
  });
  assert.equal(e.code, 'IMAP_CONFIG_INVALID');
  const paths = e.details.map((d) => d.path).sort();
  assert.deepEqual(paths, ['mailboxes.0.tls', 'mailboxes.1', 'mailboxes.1.name']);
  assert.ok(!e.message.includes('hunter2'), 'the refused password is not repeated');

  const e2 = refusal({
    mailboxes: [
      { ...good, after_intake: { action: 'move', folder: 'INBOX' } },
      { ...good, name: 'local', tls: 'none' },
      good,
    ],
  });
  assert.deepEqual(
    e2.details.map((d) => d.path),
    ['mailboxes.0.after_intake.folder', 'mailboxes.1.tls', 'mailboxes.2.name'],
  );
  assert.match(e2.details[1]!.message, /in clear/);
});

test('a file that cannot be read or parsed is refused naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-imap-config-'));
  const file = join(dir, 'imap.yaml');
  writeFileSync(file, 'mailboxes: [\n');
  assert.throws(
    () => loadImapMailboxes(file),
    (e: CrossdockError) => {
      assert.equal(e.code, 'IMAP_CONFIG_INVALID');
      assert.equal(e.details[0]!.path, file);
      return true;
    },
  );
  assert.throws(() => loadImapMailboxes(join(dir, 'missing.yaml')), /cannot read: ENOENT/);
});

test("OPERATIONS.md's example file is a valid configuration", () => {
  const doc = readFileSync('docs/OPERATIONS.md', 'utf8');
  const block = /```yml\n(mailboxes:[\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'the example is in OPERATIONS.md');
  const [m] = parseImapMailboxes(parse(block));
  assert.deepEqual(
    [m!.name, m!.port, m!.afterIntake],
    ['suppliers', 993, { action: 'move', folder: 'Crossdock' }],
  );
});
