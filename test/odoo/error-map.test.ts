/**
 * The Odoo error map against every recorded error: each fixture's response is read by
 * the protocol's reader, exactly as a transport would, and mapped to a CrossdockError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mapOdooFailure,
  ODOO_ERROR_CODES,
  readJsonRpcAnswer,
  readXmlRpcAnswer,
  type OdooErrorCode,
  type OdooFailure,
} from '../../src/connectors/odoo/index.ts';
import { failureOf } from './support/failures.ts';
import {
  answerOf,
  loadFixture,
  loadFixtures,
  requestIdOf,
  type Fixture,
} from './support/fixtures.ts';

/** Expected code for every fixture whose answer is an error (envelope, fault or HTTP 4xx). */
const EXPECTED: Record<string, OdooErrorCode> = {
  'access-error-admin-only-model': 'ODOO_ACCESS_ERROR',
  'access-error-create-acl': 'ODOO_ACCESS_ERROR',
  'access-error-read-record-rule': 'ODOO_ACCESS_ERROR',
  'access-error-unlink-partner': 'ODOO_ACCESS_ERROR',
  'access-error-write-product': 'ODOO_ACCESS_ERROR',
  'automation-11b-gotcha-webhook_sample_payload-multi-read': 'ODOO_SERVER_ERROR',
  'error-args-not-list': 'ODOO_INVALID_DOMAIN',
  'error-invalid-domain-operator': 'ODOO_INVALID_DOMAIN',
  'error-invoice-before-delivery': 'ODOO_USER_ERROR',
  'error-missing-required-field': 'ODOO_VALIDATION_ERROR',
  'error-private-method': 'ODOO_PRIVATE_METHOD',
  'error-selection-invalid-value': 'ODOO_INVALID_ARGUMENT',
  'error-unknown-field-in-domain': 'ODOO_UNKNOWN_FIELD',
  'error-unknown-field-in-fields': 'ODOO_UNKNOWN_FIELD',
  'error-unknown-method': 'ODOO_UNKNOWN_METHOD',
  'error-unknown-model': 'ODOO_UNKNOWN_MODEL',
  'error-unlink-missing-record': 'ODOO_MISSING_RECORD',
  'error-user-error-confirm-twice': 'ODOO_USER_ERROR',
  'error-user-error-unlink-confirmed': 'ODOO_USER_ERROR',
  'error-validation-recursive-partner': 'ODOO_VALIDATION_ERROR',
  'error-write-missing-record': 'ODOO_MISSING_RECORD',
  'o2c-17-error-create_invoices-not-delivered': 'ODOO_USER_ERROR',
  'ret-08-error-return-not-done-picking': 'ODOO_USER_ERROR',
  'ret-30-error-account.move.reversal-on-draft-move': 'ODOO_USER_ERROR',
  'error-wrong-kwarg': 'ODOO_INVALID_ARGUMENT',
  'error-wrong-type-domain-string': 'ODOO_INVALID_DOMAIN',
  'error-wrong-type-float-string': 'ODOO_INVALID_ARGUMENT',
  'error-wrong-type-many2one-name': 'ODOO_INVALID_ARGUMENT',
  'flow-c-10-button_validate-nothing-reserved': 'ODOO_USER_ERROR',
  'flow-d-05-button_validate-again': 'ODOO_USER_ERROR',
  'jsonrpc-common-authenticate-wrong-db': 'ODOO_DATABASE_NOT_FOUND',
  'jsonrpc-execute_kw-uid-as-login-string': 'ODOO_INVALID_ARGUMENT',
  'jsonrpc-execute_kw-wrong-password': 'ODOO_ACCESS_DENIED',
  'jsonrpc-execute_kw-wrong-uid': 'ODOO_ACCESS_DENIED',
  'jsonrpc-get': 'ODOO_PROTOCOL_ERROR',
  'jsonrpc-malformed-json': 'ODOO_PROTOCOL_ERROR',
  'jsonrpc-unknown-common-method': 'ODOO_UNKNOWN_METHOD',
  'jsonrpc-unknown-service': 'ODOO_SERVER_ERROR',
  'jsonrpc-wrong-content-type': 'ODOO_PROTOCOL_ERROR',
  'p2p-01-error-create-purchase.order-unknown-field': 'ODOO_UNKNOWN_FIELD',
  'p2p-04-error-action_create_invoice-nothing-to-bill': 'ODOO_USER_ERROR',
  'p2p-35-error-button_validate-zero-quantities': 'ODOO_USER_ERROR',
  'p2p-44-error-button_cancel-with-done-receipt': 'ODOO_USER_ERROR',
  'p2p-50-error-action_post-bill-without-invoice_date': 'ODOO_USER_ERROR',
  'p2p-58-error-write-acc_number-on-trusted-account': 'ODOO_USER_ERROR',
  'web-dataset-call_kw-no-session': 'ODOO_SESSION_EXPIRED',
  'web-session-authenticate-apikey': 'ODOO_ACCESS_DENIED',
  'web-session-authenticate-wrong-password': 'ODOO_ACCESS_DENIED',
  'webhook-w5-create-partner-rolled-back': 'ODOO_USER_ERROR',
  'xmlrpc-fault-access-error': 'ODOO_ACCESS_ERROR',
  'xmlrpc-fault-missing-error': 'ODOO_MISSING_RECORD',
  'xmlrpc-fault-private-method': 'ODOO_PRIVATE_METHOD',
  'xmlrpc-fault-unknown-field': 'ODOO_UNKNOWN_FIELD',
  'xmlrpc-fault-unknown-model': 'ODOO_UNKNOWN_MODEL',
  // Fault 2 does not say whether it was a UserError or a ValidationError (see docs).
  'xmlrpc-fault-user-error': 'ODOO_USER_ERROR',
  'xmlrpc-fault-validation-error': 'ODOO_USER_ERROR',
  'xmlrpc-fault-wrong-password': 'ODOO_ACCESS_DENIED',
  'xmlrpc-malformed-xml': 'ODOO_PROTOCOL_ERROR',
  'xmlrpc-object-activity_schedule-recordset': 'ODOO_RESULT_NOT_MARSHALLABLE',
  'xmlrpc-v1-object-execute-fault': 'ODOO_USER_ERROR',
};

/** Error answers that are not for the client: incoming webhooks answer whoever calls /web/hook. */
function isClientFacing(fixture: Fixture): boolean {
  return !fixture.name.startsWith('webhook-in-') && !fixture.name.startsWith('webhook-out-');
}

function isErrorAnswer(fixture: Fixture): boolean {
  const { body, status } = fixture.response;
  if (status >= 400) return true;
  if (typeof body === 'string') return body.includes('<fault>');
  return typeof body === 'object' && body !== null && 'error' in body;
}

test('the expectation table lists exactly the client-facing error fixtures', () => {
  const errorFixtures = loadFixtures()
    .filter((f) => isClientFacing(f) && isErrorAnswer(f))
    .map((f) => f.name);
  // xmlrpc-fault-none-result is a fault on the wire but a successful call (see next tests).
  const expected = [...Object.keys(EXPECTED), 'xmlrpc-fault-none-result'].sort();
  assert.deepEqual(errorFixtures.sort(), expected);
});

for (const [name, code] of Object.entries(EXPECTED)) {
  test(`${name} maps to ${code}`, () => {
    const fixture = loadFixture(name);
    const error = mapOdooFailure(failureOf(fixture), {
      baseUrl: 'http://odoo.test',
      model: 'm.model',
      method: 'm',
    });
    assert.equal(error.code, code);
    assert.equal(error.category, ODOO_ERROR_CODES[code].category);
    assert.equal(error.retryable, ODOO_ERROR_CODES[code].retryable);
    const body = fixture.response.body as { error?: { data?: { message?: string } } };
    const odooMessage = body.error?.data?.message;
    if (odooMessage !== undefined)
      assert.ok(error.message.includes(odooMessage.trim()), error.message);
    assert.ok(!error.message.includes('<API_KEY>'));
  });
}

test('an XML-RPC "cannot marshal None" fault is the null result of a committed call', () => {
  assert.equal(readXmlRpcAnswer(answerOf(loadFixture('xmlrpc-fault-none-result'))), null);
});

test('authenticate answering false (wrong key or unknown login) is read as false, not a fault', () => {
  for (const name of [
    'jsonrpc-common-authenticate-wrong-password',
    'jsonrpc-common-authenticate-unknown-login',
  ]) {
    const fixture = loadFixture(name);
    assert.equal(readJsonRpcAnswer(answerOf(fixture), requestIdOf(fixture)), false);
  }
  assert.equal(
    readXmlRpcAnswer(answerOf(loadFixture('xmlrpc-common-authenticate-wrong-password'))),
    false,
  );
  const error = mapOdooFailure(
    { kind: 'login-refused', login: 'admin', database: 'odoo17' },
    { baseUrl: 'http://odoo.test' },
  );
  assert.equal(error.code, 'ODOO_ACCESS_DENIED');
  assert.match(error.message, /rejected login "admin" on database "odoo17"/);
});

test('a JSON-RPC answer without a result member reads as null', () => {
  const fixture = loadFixture('flow-c-08-do_unreserve-returns-null');
  assert.equal(readJsonRpcAnswer(answerOf(fixture), requestIdOf(fixture)), null);
});

test('transport failures map to transient codes', () => {
  const site = { baseUrl: 'http://odoo.test' };
  const cases: Array<[OdooFailure, OdooErrorCode]> = [
    [
      { kind: 'network', errorCode: 'ECONNREFUSED', detail: 'connect ECONNREFUSED' },
      'ODOO_UNAVAILABLE',
    ],
    [
      {
        kind: 'http-status',
        httpStatus: 502,
        contentType: 'text/html',
        bodyExcerpt: 'Bad Gateway',
      },
      'ODOO_UNAVAILABLE',
    ],
    [
      { kind: 'http-status', httpStatus: 503, contentType: 'text/html', bodyExcerpt: '' },
      'ODOO_UNAVAILABLE',
    ],
    [
      { kind: 'http-status', httpStatus: 504, contentType: 'text/html', bodyExcerpt: '' },
      'ODOO_UNAVAILABLE',
    ],
    [{ kind: 'timeout', timeoutMs: 50 }, 'ODOO_TIMEOUT'],
    [
      {
        kind: 'rpc-error',
        transport: 'jsonrpc',
        httpStatus: 200,
        code: 200,
        name: 'psycopg2.errors.SerializationFailure',
        message: 'could not serialize access due to concurrent update',
      },
      'ODOO_SERIALIZATION_FAILURE',
    ],
    [
      {
        kind: 'rpc-error',
        transport: 'jsonrpc',
        httpStatus: 200,
        code: 200,
        name: 'psycopg2.OperationalError',
        message: 'server closed the connection unexpectedly',
      },
      'ODOO_UNAVAILABLE',
    ],
  ];
  for (const [failure, code] of cases) {
    const error = mapOdooFailure(failure, site);
    assert.equal(error.code, code);
    assert.equal(error.category, 'transient');
    assert.equal(error.retryable, true);
  }
});

test('a secret echoed by Odoo is removed from the message', () => {
  const failure: OdooFailure = {
    kind: 'rpc-error',
    transport: 'jsonrpc',
    httpStatus: 200,
    code: 200,
    name: 'builtins.ValueError',
    message: "invalid literal for int() with base 10: 'sk-live-123'",
  };
  const error = mapOdooFailure(failure, { baseUrl: 'http://odoo.test' }, ['sk-live-123']);
  assert.ok(!error.message.includes('sk-live-123'));
  assert.match(error.message, /\[redacted\]/);
});
