/** Carrier configuration: defaults, secrets from variables, and refusals that list every path without echoing a secret. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadCarrierSettings,
  parseCarrierConfigs,
  parseCarrierFile,
} from '../../src/connectors/carriers/index.ts';

const refusal = (
  fn: () => unknown,
): { code?: string; message: string; details: { path: string; message: string }[] } => {
  try {
    fn();
  } catch (error) {
    return error as {
      code?: string;
      message: string;
      details: { path: string; message: string }[];
    };
  }
  throw new Error('expected a refusal');
};

test('defaults fill what is absent; secrets are taken from the named variables or given in code', () => {
  const [fromEnv, inline] = parseCarrierConfigs(
    [
      {
        code: 'alpha',
        base_url: 'https://alpha.example/api/',
        auth: { api_key_env: 'ALPHA_KEY' },
        webhook: { secret_env: 'ALPHA_HOOK', signature_header: 'x-alpha-sig' },
      },
      {
        code: 'beta',
        base_url: 'http://127.0.0.1:8080',
        auth: { header: 'x-api-key', api_key: 'beta-inline-key' },
      },
    ],
    { ALPHA_KEY: 'alpha-key-value', ALPHA_HOOK: 'alpha-webhook-secret' },
  );
  assert.deepEqual(fromEnv, {
    code: 'alpha',
    base_url: 'https://alpha.example/api/',
    timeout_ms: 10000,
    statuses: {},
    auth: { header: 'authorization', prefix: '', api_key: 'alpha-key-value' },
    paths: {
      rates: '/rates',
      book: '/shipments',
      cancel: '/shipments/{booking_id}',
      track: '/tracking/{tracking_ref}',
    },
    webhook: {
      secret: 'alpha-webhook-secret',
      signature_header: 'x-alpha-sig',
      signature_encoding: 'hex',
      tolerance_seconds: 300,
      fields: {
        event_id: 'id',
        tracking_ref: 'tracking_ref',
        status: 'status',
        at: 'at',
        reason: 'reason',
        reference: 'reference',
        signed_by: 'signed_by',
        proof_ref: 'proof_ref',
      },
    },
  });
  assert.deepEqual(
    [inline?.auth, inline?.webhook],
    [{ header: 'x-api-key', prefix: '', api_key: 'beta-inline-key' }, null],
  );
});

test('every problem is listed with its path, and no secret is echoed', () => {
  const error = refusal(() =>
    parseCarrierConfigs(
      [
        {
          code: 'Bad Code',
          base_url: 'ftp://x.example',
          auth: { api_key: 'super-secret-1', api_key_env: 'X' },
          timeout_ms: 0,
        },
        {
          code: 'gamma',
          base_url: 'https://user:pw@gamma.example',
          auth: { api_key_env: 'GAMMA_KEY' },
          statuses: { LOST: 'vanished' },
          webhook: { secret: 'short', signature_header: 'x' },
        },
        { code: 'delta', base_url: 'https://d.example', auth: { api_key: 'super-secret-2' } },
        {
          code: 'delta',
          base_url: 'https://d2.example',
          auth: { api_key: 'super-secret-3' },
          extra: true,
        },
      ],
      {},
    ),
  );
  assert.equal(error.code, 'CARRIER_CONFIG_INVALID');
  assert.deepEqual(
    error.details.map((d) => d.path),
    [
      'carriers.0.code',
      'carriers.0.base_url',
      'carriers.0.auth',
      'carriers.0.timeout_ms',
      'carriers.1.base_url',
      'carriers.1.statuses.LOST',
      'carriers.1.webhook.secret',
      'carriers.3', // strict: unknown key "extra"
    ],
  );
  assert.doesNotMatch(JSON.stringify(error) + error.message, /super-secret|short"/);

  const twice = refusal(() =>
    parseCarrierConfigs([
      { code: 'delta', base_url: 'https://d.example', auth: { api_key: 'k1' } },
      { code: 'delta', base_url: 'https://d.example', auth: { api_key: 'k2' } },
    ]),
  );
  assert.deepEqual(twice.details, [
    { path: 'carriers.1.code', message: 'carrier "delta" is configured twice' },
  ]);
});

test('a carriers file may not hold secrets, and an unreadable file is refused by name', () => {
  const inline = refusal(() =>
    parseCarrierFile(
      'carriers:\n  - { code: x1, base_url: "https://x.example", auth: { api_key: leaked-key }, webhook: { secret: leaked-secret-123456, signature_header: x } }\n',
      {},
    ),
  );
  assert.deepEqual(
    inline.details.map((d) => d.path),
    ['carriers.0.auth.api_key', 'carriers.0.webhook.secret'],
  );
  assert.doesNotMatch(JSON.stringify(inline) + inline.message, /leaked/);

  const dir = mkdtempSync(join(tmpdir(), 'carriers-config-'));
  try {
    const path = join(dir, 'carriers.json');
    writeFileSync(
      path,
      JSON.stringify({
        carriers: [
          { code: 'json1', base_url: 'https://j.example', auth: { api_key_env: 'J_KEY' } },
        ],
      }),
    );
    assert.deepEqual(
      loadCarrierSettings(path, { J_KEY: 'j' }).map((c) => [c.code, c.auth.api_key]),
      [['json1', 'j']],
    );
    const missing = refusal(() => loadCarrierSettings(join(dir, 'nope.yaml'), {}));
    assert.deepEqual(
      [missing.code, missing.details[0]?.message],
      ['CARRIER_CONFIG_INVALID', 'cannot read: ENOENT'],
    );
    assert.equal(refusal(() => parseCarrierFile('carriers: []', {})).details[0]?.path, 'carriers');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
