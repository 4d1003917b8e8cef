/**
 * The contract test is only as good as its comparison. These tests feed the comparison
 * a recorded answer with one encoding changed and check that it notices, so a "209 of
 * 209 match" cannot come from a comparison that accepts anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture, type Fixture } from './support/fixtures.ts';
import { compareExchange, compareOutgoing, type ActualExchange } from './support/replay.ts';
import type { ReceivedWebhook } from './support/webhook-listener.ts';

function answerAs(fixture: Fixture, body: unknown): ActualExchange {
  return {
    status: fixture.response.status,
    contentType: fixture.response.headers['content-type'] ?? '',
    setCookie: null,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function recordedJson(name: string): { fixture: Fixture; body: Record<string, unknown> } {
  const fixture = loadFixture(name);
  return { fixture, body: structuredClone(fixture.response.body) as Record<string, unknown> };
}

test('the recorded answer itself matches', () => {
  for (const name of [
    'execute_kw-read-sale.order',
    'error-user-error-confirm-twice',
    'xmlrpc-object-execute_kw-read-sale.order',
    'jsonrpc-get',
  ]) {
    const fixture = loadFixture(name);
    assert.deepEqual(compareExchange(fixture, answerAs(fixture, fixture.response.body)), [], name);
  }
});

test('value encodings are checked: many2one pair, false for empty, list of ids', () => {
  const { fixture, body } = recordedJson('execute_kw-read-sale.order');
  const [order] = body.result as Array<Record<string, unknown>>;
  assert.ok(order !== undefined);
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, {
        ...body,
        result: [{ ...order, partner_id: 11 }, (body.result as unknown[])[1]],
      }),
    ).join(),
    /partner_id/,
  );
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, {
        ...body,
        result: [{ ...order, commitment_date: null }, (body.result as unknown[])[1]],
      }),
    ).join(),
    /commitment_date/,
  );
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, {
        ...body,
        result: [{ ...order, order_line: ['45'] }, (body.result as unknown[])[1]],
      }),
    ).join(),
    /order_line/,
  );
  assert.match(
    compareExchange(fixture, answerAs(fixture, { ...body, result: [order] })).join(),
    /expected 2 items, got 1/,
  );
  const { name: _dropped, ...withoutName } = order;
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, { ...body, result: [withoutName, (body.result as unknown[])[1]] }),
    ).join(),
    /missing keys name/,
  );
});

test('the envelope is checked: id echo, result vs error, a missing result meaning None', () => {
  const { fixture, body } = recordedJson('flow-c-08-do_unreserve-returns-null');
  assert.match(
    compareExchange(fixture, answerAs(fixture, { ...body, result: null })).join(),
    /"result" unexpected/,
  );
  assert.match(compareExchange(fixture, answerAs(fixture, { ...body, id: 99 })).join(), /id 99/);
});

test('errors are checked: class, code, message, context', () => {
  const { fixture, body } = recordedJson('webhook-w5-create-partner-rolled-back');
  const error = body.error as { code: number; data: Record<string, unknown> };
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, {
        ...body,
        error: { ...error, data: { ...error.data, name: 'odoo.exceptions.ValidationError' } },
      }),
    ).join(),
    /error class/,
  );
  assert.match(
    compareExchange(fixture, answerAs(fixture, { ...body, error: { ...error, code: 100 } })).join(),
    /error: 100/,
  );
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, { ...body, error: { ...error, data: { ...error.data, message: 'boom' } } }),
    ).join(),
    /error message/,
  );
  assert.match(
    compareExchange(
      fixture,
      answerAs(fixture, { ...body, error: { ...error, data: { ...error.data, context: {} } } }),
    ).join(),
    /missing keys/,
  );
});

test('XML-RPC wire types and fault codes are checked', () => {
  const read = loadFixture('xmlrpc-object-execute_kw-read-sale.order');
  const asInt = (read.response.body as string).replace('<double>691.73</double>', '<int>691</int>');
  assert.match(compareExchange(read, answerAs(read, asInt)).join(), /expected <double>, got <int>/);
  const fault = loadFixture('xmlrpc-fault-user-error');
  const asFaultOne = (fault.response.body as string).replace('<int>2</int>', '<int>1</int>');
  assert.match(
    compareExchange(fault, answerAs(fault, asFaultOne)).join(),
    /faultCode 1, expected 2/,
  );
});

test('HTTP status, content type and non-JSON bodies are checked', () => {
  const fixture = loadFixture('jsonrpc-malformed-json');
  assert.match(
    compareExchange(fixture, { ...answerAs(fixture, fixture.response.body), status: 200 }).join(),
    /HTTP status 200, expected 400/,
  );
  assert.match(
    compareExchange(fixture, {
      ...answerAs(fixture, fixture.response.body),
      contentType: 'application/json',
    }).join(),
    /content-type/,
  );
  assert.match(compareExchange(fixture, answerAs(fixture, 'Bad Request')).join(), /body/);
});

test('outgoing webhooks: headers, bare many2one ids, sorted keys', () => {
  const fixture = loadFixture('webhook-out-w1-confirm-02-odoo-sale-confirmed');
  const recorded: ReceivedWebhook = {
    method: 'POST',
    path: fixture.request.path,
    headers: { ...fixture.request.headers },
    body: structuredClone(fixture.request.body),
  };
  assert.deepEqual(compareOutgoing(fixture, recorded), []);
  const { 'User-Agent': _agent, ...withoutAgent } = recorded.headers;
  assert.match(
    compareOutgoing(fixture, {
      ...recorded,
      headers: { ...withoutAgent, 'X-Signature': 'x' },
    }).join(),
    /User-Agent missing.*X-Signature/,
  );
  const body = recorded.body as Record<string, unknown>;
  assert.match(
    compareOutgoing(fixture, {
      ...recorded,
      body: { ...body, partner_id: [10, 'Deco Addict'] },
    }).join(),
    /partner_id/,
  );
  const { _action, ...rest } = body;
  assert.match(
    compareOutgoing(fixture, { ...recorded, body: { ...rest, _action } }).join(),
    /not sorted/,
  );
  assert.deepEqual(compareOutgoing(fixture, undefined), [
    `no webhook received on ${fixture.request.path}`,
  ]);
});
