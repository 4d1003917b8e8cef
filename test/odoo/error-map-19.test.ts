/**
 * Every error recorded on the real Odoo 19 server (JSON-2 and its legacy /jsonrpc) maps
 * to the Crossdock code its Odoo 17 equivalent maps to, so a step fails the same way
 * whatever the transport and the version. Both sides are read from the recorded answers
 * by the protocol's reader, as a transport would read them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mapOdooFailure,
  ODOO_ERROR_CODES,
  type OdooErrorCode,
} from '../../src/connectors/odoo/index.ts';
import { failureOf } from './support/failures.ts';
import { loadFixture, loadFixtures, type Fixture } from './support/fixtures.ts';

/** Odoo 19 error fixture -> the Odoo 17 fixture recording the same mistake. */
const EQUIVALENT_17: Readonly<Record<string, string>> = {
  '03-json2-POST-json-2-no-model': 'jsonrpc-get',
  '04-json2-GET-wrong-http-method': 'jsonrpc-get',
  '05-json2-PUT-wrong-http-method': 'jsonrpc-get',
  '07-error-auth-no-authorization-header': 'jsonrpc-execute_kw-wrong-password',
  '08-error-auth-wrong-key': 'jsonrpc-execute_kw-wrong-password',
  '09-error-auth-basic-scheme': 'jsonrpc-execute_kw-wrong-password',
  '11-error-unknown-database-header': 'jsonrpc-common-authenticate-wrong-db',
  '12-error-content-type-text-plain': 'jsonrpc-wrong-content-type',
  '13-error-malformed-json': 'jsonrpc-malformed-json',
  '14-error-body-json-array': 'error-wrong-kwarg',
  '58-error-unknown-model': 'error-unknown-model',
  '59-error-unknown-method': 'error-unknown-method',
  '60-error-private-method': 'error-private-method',
  '61-error-unknown-field-in-fields': 'error-unknown-field-in-fields',
  '62-error-unknown-field-in-domain': 'error-unknown-field-in-domain',
  '63-error-wrong-kwarg-read': 'error-wrong-kwarg',
  '64-error-wrong-kwarg-search_read': 'error-wrong-kwarg',
  '65-error-positional-args': 'error-wrong-kwarg',
  '66-error-ids-on-model-method': 'error-wrong-kwarg',
  '67-error-missing-required-argument': 'error-wrong-kwarg',
  '68-error-user-error-confirm-twice': 'error-user-error-confirm-twice',
  '69-error-user-error-unlink-confirmed': 'error-user-error-unlink-confirmed',
  '70-error-validation-recursive-partner': 'error-validation-recursive-partner',
  '71-error-missing-required-field': 'error-missing-required-field',
  '72-error-missing-record-write': 'error-write-missing-record',
  '73-error-selection-invalid-value': 'error-selection-invalid-value',
  '74-error-wrong-type-many2one-string': 'error-wrong-type-many2one-name',
  '77-salesuser-error-access-create-product': 'access-error-create-acl',
  '78-salesuser-error-access-read-other-order': 'access-error-read-record-rule',
  '79-salesuser-error-access-admin-model': 'access-error-admin-only-model',
  '84-jsonrpc-error-unknown-model': 'error-unknown-model',
  '93-create-res.partner-rolled-back': 'webhook-w5-create-partner-rolled-back',
};

function isErrorAnswer(fixture: Fixture): boolean {
  const { body, status } = fixture.response;
  return status >= 400 || (typeof body === 'object' && body !== null && 'error' in body);
}

const codeOf = (fixture: Fixture) =>
  mapOdooFailure(failureOf(fixture), {
    baseUrl: 'http://odoo.test',
    model: 'm.model',
    method: 'm',
  });

test('the table lists exactly the error answers of the Odoo 19 set', () => {
  const errors = loadFixtures('odoo19')
    .filter((fixture) => !fixture.name.startsWith('webhook-out-') && isErrorAnswer(fixture))
    .map((fixture) => fixture.name);
  assert.deepEqual(errors.sort(), Object.keys(EQUIVALENT_17).sort());
});

const seen = new Map<OdooErrorCode, number>();
for (const [name19, name17] of Object.entries(EQUIVALENT_17)) {
  test(`${name19} maps like ${name17}`, () => {
    const [error19, error17] = [codeOf(loadFixture(name19, 'odoo19')), codeOf(loadFixture(name17))];
    assert.equal(error19.code, error17.code);
    assert.equal(error19.category, ODOO_ERROR_CODES[error19.code as OdooErrorCode].category);
    assert.equal(error19.retryable, error17.retryable);
    const body = loadFixture(name19, 'odoo19').response.body as {
      message?: unknown;
      error?: { data?: { message?: unknown } };
    };
    const odooMessage = body.message ?? body.error?.data?.message;
    if (typeof odooMessage === 'string')
      assert.ok(error19.message.includes(odooMessage.trim()), error19.message);
    seen.set(error19.code as OdooErrorCode, (seen.get(error19.code as OdooErrorCode) ?? 0) + 1);
  });
}

test('report: the Odoo 19 errors by Crossdock code', (t) => {
  t.diagnostic(
    [...seen]
      .sort()
      .map(([code, count]) => `${code}: ${count}`)
      .join(', '),
  );
  assert.equal(
    [...seen.values()].reduce((sum, count) => sum + count, 0),
    Object.keys(EQUIVALENT_17).length,
  );
});
