/** The carrier error map, as a table; and docs/error-codes.md documents every CARRIER_ code as it is. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { test } from 'node:test';
import {
  CARRIER_ERROR_CODES,
  carrierStatusError,
  carrierTransportError,
  createRestCarrier,
  parseCarrierConfigs,
  reasonOf,
  type CarrierOperation,
} from '../../src/connectors/carriers/index.ts';
import { closedPortUrl, shipment } from './support.ts';

const NOW = Date.parse('2026-01-05T08:00:00Z');

/** [status, operation, Retry-After, body] -> [code, category, retryable, retryAfterMs] */
const TABLE: [
  number,
  CarrierOperation,
  string | null,
  string,
  [string, string, boolean, number | undefined],
][] = [
  [500, 'book', null, '', ['CARRIER_SERVER_ERROR', 'transient', true, undefined]],
  [
    502,
    'rates',
    null,
    '<html>Bad Gateway</html>',
    ['CARRIER_SERVER_ERROR', 'transient', true, undefined],
  ],
  [503, 'book', '30', '', ['CARRIER_SERVER_ERROR', 'transient', true, 30_000]],
  [504, 'track', null, '', ['CARRIER_SERVER_ERROR', 'transient', true, undefined]],
  [
    429,
    'book',
    '120',
    '{"error":{"message":"slow down"}}',
    ['CARRIER_RATE_LIMITED', 'transient', true, 120_000],
  ],
  [
    429,
    'rates',
    'Mon, 05 Jan 2026 08:01:00 GMT',
    '',
    ['CARRIER_RATE_LIMITED', 'transient', true, 60_000],
  ],
  [429, 'rates', null, '', ['CARRIER_RATE_LIMITED', 'transient', true, undefined]],
  [408, 'book', null, '', ['CARRIER_UNAVAILABLE', 'transient', true, undefined]],
  [
    422,
    'book',
    null,
    '{"error":{"code":"region_not_served","message":"we do not go to FR"}}',
    ['CARRIER_BOOKING_REJECTED', 'policy', false, undefined],
  ],
  [
    422,
    'rates',
    null,
    '{"message":"bad postcode"}',
    ['CARRIER_REQUEST_INVALID', 'user', false, undefined],
  ],
  [401, 'book', null, '', ['CARRIER_AUTH_FAILED', 'user', false, undefined]],
  [403, 'track', '30', '', ['CARRIER_AUTH_FAILED', 'user', false, undefined]],
  [404, 'track', null, '', ['CARRIER_NOT_FOUND', 'user', false, undefined]],
  [400, 'book', null, 'missing field', ['CARRIER_REQUEST_INVALID', 'user', false, undefined]],
  [
    409,
    'cancel',
    null,
    '{"reason":"already delivered"}',
    ['CARRIER_REQUEST_INVALID', 'user', false, undefined],
  ],
  [302, 'rates', null, '', ['CARRIER_RESPONSE_INVALID', 'bug', false, undefined]],
];

test('HTTP statuses map to carrier codes, categories, retryability and Retry-After', () => {
  for (const [status, operation, retryAfter, body, expected] of TABLE) {
    const error = carrierStatusError({
      carrier: 'swiftpost',
      operation,
      method: 'POST',
      url: 'https://api.example.com/v1/shipments?key=secret-in-query',
      status,
      retryAfter,
      body,
      nowMs: NOW,
    });
    assert.deepEqual(
      [error.code, error.category, error.retryable, error.retryAfterMs],
      expected,
      `${status} ${operation}`,
    );
    assert.doesNotMatch(error.message, /secret-in-query/, 'no query string in messages');
    assert.match(error.message, /swiftpost/);
  }
});

test("the carrier's reason is kept in the message and details", () => {
  const error = carrierStatusError({
    carrier: 'euroline',
    operation: 'book',
    method: 'POST',
    url: 'https://x.example/shipments',
    status: 422,
    retryAfter: null,
    body: '{"error":{"code":"region_not_served","message":"we do not go to ES-CN"}}',
    nowMs: NOW,
  });
  assert.equal(
    error.message,
    'Carrier euroline rejected the booking (POST https://x.example/shipments): we do not go to ES-CN',
  );
  assert.deepEqual(error.details, [{ path: 'reason', message: 'we do not go to ES-CN' }]);
  assert.deepEqual(
    [
      reasonOf(''),
      reasonOf('<html><h1>502</h1></html>'),
      reasonOf('plain words'),
      reasonOf('{"message":"m"}'),
      reasonOf('{"error":"e"}'),
    ],
    ['', '', 'plain words', 'm', 'e'],
  );
});

test('no answer at all: a timeout or a refused connection is CARRIER_UNAVAILABLE, transient', async () => {
  const timeout = carrierTransportError(
    'cargoplus',
    'book',
    'POST',
    'https://x.example/shipments',
    new DOMException('aborted', 'TimeoutError'),
    2500,
  );
  assert.deepEqual(
    [timeout.code, timeout.category, timeout.retryable],
    ['CARRIER_UNAVAILABLE', 'transient', true],
  );
  assert.match(timeout.message, /did not answer within 2500 ms when booking/);

  // A real refused connection.
  const [config] = parseCarrierConfigs([
    {
      code: 'nowhere',
      base_url: await closedPortUrl(),
      auth: { api_key: 'k-123456' },
      timeout_ms: 2000,
    },
  ]);
  await assert.rejects(
    createRestCarrier(config!).rates(shipment()),
    (error: Error & { code?: string; retryable?: boolean }) => {
      assert.deepEqual([error.code, error.retryable], ['CARRIER_UNAVAILABLE', true]);
      assert.match(error.message, /could not be reached when quoting .*ECONNREFUSED/);
      return true;
    },
  );
});

test('a carrier that takes the call and never answers: CARRIER_UNAVAILABLE after the timeout', async () => {
  const silent = createServer(() => undefined); // reads the request, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const [config] = parseCarrierConfigs([
    {
      code: 'silent',
      base_url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      auth: { api_key: 'k-123456' },
      timeout_ms: 150,
    },
  ]);
  try {
    await assert.rejects(
      createRestCarrier(config!).rates(shipment()),
      (error: Error & { code?: string; retryable?: boolean }) => {
        assert.deepEqual([error.code, error.retryable], ['CARRIER_UNAVAILABLE', true]);
        assert.match(error.message, /did not answer within 150 ms when quoting/);
        return true;
      },
    );
  } finally {
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  }
});

const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/error-codes.md'), 'utf8');

function documentedRows(): Map<string, { category: string; retryable: boolean }> {
  const rows = new Map<string, { category: string; retryable: boolean }>();
  for (const match of DOC.matchAll(/^\| `(CARRIER_[A-Z_]+)` \| (\w+) \| (yes|no)/gm))
    rows.set(match[1]!, { category: match[2]!, retryable: match[3] === 'yes' });
  return rows;
}

test('docs/error-codes.md documents every carrier code with its category and retryable flag', () => {
  const rows = documentedRows();
  for (const [code, info] of Object.entries(CARRIER_ERROR_CODES))
    assert.deepEqual(rows.get(code), { category: info.category, retryable: info.retryable }, code);
  assert.equal(
    rows.size,
    Object.keys(CARRIER_ERROR_CODES).length,
    'the doc lists carrier codes that do not exist',
  );
});

test('every CARRIER_ code raised in the connector source is in the codes table', () => {
  const dir = resolve(import.meta.dirname, '../../src/connectors/carriers');
  const used = new Set(
    readdirSync(dir).flatMap((file) =>
      [...readFileSync(resolve(dir, file), 'utf8').matchAll(/'(CARRIER_[A-Z_]+)'/g)].map(
        (m) => m[1]!,
      ),
    ),
  );
  assert.ok(used.size >= 10);
  for (const code of used)
    assert.ok(code in CARRIER_ERROR_CODES, `${code} is raised but not in CARRIER_ERROR_CODES`);
});
