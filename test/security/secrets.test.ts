import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  keyId,
  loadKeyring,
  open,
  seal,
  SecretStore,
  type Keyring,
} from '../../src/secrets/index.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { testKeyring } from '../api/support.ts';

describe('secrets at rest (AES-256-GCM)', () => {
  let t: TestStore;
  let dir: string;
  before(async () => {
    t = await openTestStore();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-keys-'));
  });
  after(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a sealed value opens only with its key and under its own name; any change is detected', () => {
    const keyring = testKeyring();
    const sealed = seal(keyring.current, 'odoo.main', 'the api key');
    assert.ok(!sealed.includes('the api key'));
    assert.notEqual(
      seal(keyring.current, 'odoo.main', 'the api key'),
      sealed,
      'a fresh IV each time',
    );
    assert.equal(open(keyring, 'odoo.main', sealed), 'the api key');
    assert.throws(() => open(keyring, 'smtp.password', sealed), { code: 'SECRET_UNREADABLE' });
    const parts = sealed.split(':');
    parts[4] = Buffer.from('the api kez').toString('base64');
    assert.throws(() => open(keyring, 'odoo.main', parts.join(':')), { code: 'SECRET_UNREADABLE' });
    assert.throws(() => open(testKeyring(), 'odoo.main', sealed), /not in the keyring/);
  });

  test('the key file is generated once, readable by its owner only; bad keys are refused', () => {
    const file = join(dir, 'secrets.key');
    assert.equal(
      loadKeyring({ key: null, keyFile: file, previousKeys: [] }, { generateIfMissing: false }),
      null,
    );
    const made = loadKeyring(
      { key: null, keyFile: file, previousKeys: [] },
      { generateIfMissing: true },
    )!;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(
      loadKeyring({ key: null, keyFile: file, previousKeys: [] }, { generateIfMissing: true })!
        .current.id,
      made.current.id,
    );
    assert.ok(readFileSync(file, 'utf8').includes(made.current.key.toString('base64')));
    assert.throws(
      () =>
        loadKeyring(
          { key: 'c2hvcnQ=', keyFile: null, previousKeys: [] },
          { generateIfMissing: false },
        ),
      { code: 'SECRETS_KEY_INVALID' },
    );
  });

  test('the store keeps only ciphertext, lists no values, and re-encrypts everything under a new key', async () => {
    const old = testKeyring();
    const store = new SecretStore(t.store.db as never, old, () => new Date());
    await store.put('carrier.dhl', 'dhl-key-123', 'DHL API key');
    await store.put('smtp.password', 'smtp-pass-456');
    const raw = JSON.stringify((await sql`SELECT * FROM secrets`.execute(t.store.db)).rows);
    assert.ok(!raw.includes('dhl-key-123') && !raw.includes('smtp-pass-456'));
    assert.ok(!JSON.stringify(await store.list()).includes('dhl-key-123'));
    const fresh = randomBytes(32);
    const rotated: Keyring = {
      current: { id: keyId(fresh), key: fresh },
      previous: [old.current],
      origin: 'test',
    };
    const next = new SecretStore(t.store.db as never, rotated, () => new Date());
    assert.deepEqual(await next.reencryptAll(), { reencrypted: 2, total: 2 });
    assert.deepEqual(await next.reencryptAll(), { reencrypted: 0, total: 2 });
    const onlyNew = new SecretStore(
      t.store.db as never,
      { ...rotated, previous: [] },
      () => new Date(),
    );
    assert.equal(await onlyNew.reveal('carrier.dhl'), 'dhl-key-123');
    assert.ok((await onlyNew.list()).every((s) => s.keyId === rotated.current.id));
    const noKey = new SecretStore(t.store.db as never, null, () => new Date());
    await assert.rejects(noKey.put('x', 'y'), { code: 'SECRETS_KEY_MISSING' });
  });
});
