/** The client's XML-RPC codec against the recorded XML-RPC bodies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMethodResponse, encodeMethodCall } from '../../src/connectors/odoo/index.ts';
import { loadFixture, loadFixtures } from './support/fixtures.ts';

test('decodes every recorded XML-RPC response (results and faults)', () => {
  const xmlFixtures = loadFixtures().filter((f) => f.request.path.startsWith('/xmlrpc'));
  assert.equal(xmlFixtures.length, 23);
  for (const fixture of xmlFixtures) {
    const decoded = decodeMethodResponse(fixture.response.body as string);
    assert.ok(decoded.kind === 'result' || decoded.kind === 'fault', fixture.name);
  }
});

test('types: many2one as [int, string], false as boolean, floats as double, datetimes as strings', () => {
  const partners = decodeMethodResponse(
    loadFixture('xmlrpc-object-execute_kw-search_read-res.partner').response.body as string,
  );
  assert.equal(partners.kind, 'result');
  const [deco, gemini] = (partners as { value: Array<Record<string, unknown>> }).value;
  assert.deepEqual(deco?.property_payment_term_id, [4, '30 Days']);
  assert.equal(deco?.credit_limit, 0);
  assert.equal(gemini?.parent_id, false);
  const order = decodeMethodResponse(
    loadFixture('xmlrpc-object-execute_kw-read-sale.order').response.body as string,
  );
  assert.deepEqual(order, {
    kind: 'result',
    value: [
      {
        id: 25,
        name: 'S00025',
        state: 'sale',
        partner_id: [10, 'Deco Addict'],
        amount_total: 691.73,
        order_line: [51, 52],
        picking_ids: [29],
        commitment_date: '2026-12-01 10:00:00',
        date_order: '2026-11-22 04:26:11',
      },
    ],
  });
  const version = decodeMethodResponse(
    loadFixture('xmlrpc-common-version').response.body as string,
  );
  assert.deepEqual(version, {
    kind: 'result',
    value: {
      server_version: '17.0-20240709',
      server_version_info: [17, 0, 0, 'final', 0, ''],
      server_serie: '17.0',
      protocol_version: 1,
    },
  });
});

test('faults keep their integer or legacy string faultCode', () => {
  assert.deepEqual(
    decodeMethodResponse(loadFixture('xmlrpc-fault-wrong-password').response.body as string),
    {
      kind: 'fault',
      faultCode: 3,
      faultString: 'Access Denied',
    },
  );
  const legacy = decodeMethodResponse(
    loadFixture('xmlrpc-v1-object-execute-fault').response.body as string,
  );
  assert.equal(legacy.kind, 'fault');
  assert.match(
    String((legacy as { faultCode: string }).faultCode),
    /^warning -- UserError\n\nThe following orders/,
  );
});

test('nil, i4, i8, base64 and dateTime.iso8601 decode to plain values', () => {
  const xml = `<?xml version="1.0"?><methodResponse><params><param><value><array><data>
<value><nil/></value><value><i4>7</i4></value><value><i8>5000000000</i8></value>
<value><base64>aGk=</base64></value><value><dateTime.iso8601>20261122T04:26:11</dateTime.iso8601></value>
<value>bare text</value></data></array></value></param></params></methodResponse>`;
  assert.deepEqual(decodeMethodResponse(xml), {
    kind: 'result',
    value: [null, 7, 5000000000, 'aGk=', '2026-11-22 04:26:11', 'bare text'],
  });
});

test('malformed XML is a malformed-response failure, not a crash', () => {
  assert.throws(
    () => decodeMethodResponse('<?xml version="1.0"?><methodResponse><params>'),
    (error: unknown) => {
      return (error as { failure?: { kind: string } }).failure?.kind === 'malformed-response';
    },
  );
});

test('encoded calls round-trip through the decoder with the same values', () => {
  const params = [
    'odoo17',
    2,
    'key & <secret>',
    'res.partner',
    'search_read',
    [[['id', 'in', [10, 11]]]],
    { fields: ['name'], limit: 2, ratio: 1.5, active: true, none: null },
  ];
  const call = encodeMethodCall('execute_kw', params);
  const asResponse = call
    .replace('<methodCall>', '<methodResponse>')
    .replace('</methodCall>', '</methodResponse>')
    .replace(/<methodName>.*<\/methodName>\n/, '')
    .replace(
      /<params>\n([\s\S]*)\n<\/params>/,
      (_m, inner: string) =>
        `<params>\n<param>\n<value><array><data>\n${inner.replace(/<\/?param>\n?/g, '')}\n</data></array></value>\n</param>\n</params>`,
    );
  assert.deepEqual(decodeMethodResponse(asResponse), { kind: 'result', value: params });
  assert.throws(() => encodeMethodCall('x', [Number.NaN]), TypeError);
});
