/**
 * The client against the simulator over each transport: the same calls give the same
 * values and the same error codes whatever the protocol, except where the protocol
 * itself differs (a recordset result, UserError vs ValidationError over XML-RPC).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  and,
  Command,
  createOdooClient,
  many2oneId,
  toDomain,
  where,
  type OdooProtocol,
} from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { observingHttp, profileFor } from './support/clients.ts';

const PROTOCOLS: OdooProtocol[] = ['jsonrpc', 'xmlrpc', 'json2'];

for (const protocol of PROTOCOLS) {
  describe(`client over ${protocol}`, () => {
    let sim: OdooSimulator;
    before(async () => {
      sim = await startOdooSimulator();
    });
    after(() => sim.close());

    test('version() and authenticate()', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      const version = await client.version();
      assert.equal(version.serverSerie, '17.0');
      assert.deepEqual(version.serverVersionInfo.slice(0, 2), [17, 0]);
      assert.equal(await client.authenticate(), protocol === 'json2' ? null : 2);
    });

    test('search_read with a built domain returns Odoo encodings', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      const domain = toDomain(and(where.in('id', [10, 11, 12])));
      const partners = await client.call<Array<Record<string, unknown>>>(
        'res.partner',
        'search_read',
        [domain],
        { fields: ['name', 'property_payment_term_id', 'parent_id'], order: 'id asc' },
      );
      assert.deepEqual(
        partners.map((partner) => partner.name),
        ['Deco Addict', 'Gemini Furniture', 'Ready Mat'],
      );
      assert.deepEqual(partners[0]?.property_payment_term_id, [4, '30 Days']);
      assert.equal(partners[1]?.property_payment_term_id, false);
      assert.equal(partners[2]?.parent_id, false);
    });

    test('create, write and read a quotation; Dates are sent as Odoo datetimes', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      const id = await client.call<number>(
        'sale.order',
        'create',
        [
          {
            partner_id: 10,
            commitment_date: new Date('2026-12-01T10:00:00Z'),
            order_line: [Command.create({ product_id: 32, product_uom_qty: 3 })],
          },
        ],
        {},
        { tracking_disable: true },
      );
      assert.equal(
        await client.call('sale.order', 'write', [[id], { client_order_ref: `REF-${protocol}` }]),
        true,
      );
      const [order] = await client.call<Array<Record<string, unknown>>>(
        'sale.order',
        'read',
        [[id]],
        { fields: ['partner_id', 'commitment_date', 'client_order_ref', 'amount_total', 'state'] },
      );
      assert.equal(many2oneId(order?.partner_id), 10);
      assert.equal(order?.commitment_date, '2026-12-01 10:00:00');
      assert.equal(order?.client_order_ref, `REF-${protocol}`);
      assert.equal(order?.amount_total, 381.23);
      assert.equal(order?.state, 'draft');
    });

    test('a method returning None reads as null', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      assert.equal(await client.call('stock.picking', 'do_unreserve', [[24]]), null);
    });

    test('a method returning a recordset: repr string, ids, or an error, by protocol', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      const call = client.call('sale.order', 'activity_schedule', [[21]], {
        act_type_xmlid: 'mail.mail_activity_data_todo',
        summary: 'Check',
        date_deadline: '2026-12-05',
      });
      if (protocol === 'jsonrpc') assert.match(String(await call), /^mail\.activity\(\d+,\)$/);
      if (protocol === 'json2') assert.equal(((await call) as number[]).length, 1);
      if (protocol === 'xmlrpc')
        await assert.rejects(call, { code: 'ODOO_RESULT_NOT_MARSHALLABLE', category: 'bug' });
    });

    test('Odoo refusals map to the same codes', async () => {
      const client = createOdooClient(profileFor(sim, protocol));
      await assert.rejects(client.call('sale.order', 'action_confirm', [[21]]), {
        code: 'ODOO_USER_ERROR',
        retryable: false,
      });
      await assert.rejects(client.call('no.such.model', 'search_count', [[]]), {
        code: 'ODOO_UNKNOWN_MODEL',
      });
      await assert.rejects(client.call('res.partner', 'write', [[999999], { name: 'ghost' }]), {
        code: 'ODOO_MISSING_RECORD',
      });
      await assert.rejects(
        client.call('sale.order', 'search_read', [[]], { fields: ['x_no_such_field'] }),
        { code: 'ODOO_UNKNOWN_FIELD' },
      );
      // XML-RPC's fault 2 does not say whether Odoo raised UserError or ValidationError.
      await assert.rejects(client.call('res.partner', 'write', [[10], { parent_id: 10 }]), {
        code: protocol === 'xmlrpc' ? 'ODOO_USER_ERROR' : 'ODOO_VALIDATION_ERROR',
      });
    });

    test('the restricted user gets ODOO_ACCESS_ERROR; a wrong key ODOO_ACCESS_DENIED without the key in the message', async () => {
      const sales = sim.users.find((user) => user.login === 'salesuser');
      const salesClient = createOdooClient(
        profileFor(sim, protocol, { login: 'salesuser', apiKey: sales?.apiKeys[0] ?? '' }),
      );
      await assert.rejects(
        salesClient.call('ir.config_parameter', 'search_read', [[]], { fields: ['key'] }),
        { code: 'ODOO_ACCESS_ERROR', category: 'policy' },
      );
      const wrong = createOdooClient(profileFor(sim, protocol, { apiKey: 'not-the-key-1234' }));
      await assert.rejects(
        wrong.call('res.partner', 'search_count', [[]]),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'ODOO_ACCESS_DENIED');
          assert.ok(!error.message.includes('not-the-key-1234'));
          return true;
        },
      );
    });

    test('bounded concurrency and counter-based request ids', async () => {
      const observed = observingHttp();
      const client = createOdooClient(profileFor(sim, protocol, { maxConcurrency: 2 }), {
        http: observed.http,
      });
      sim.faults.setLatencyMs(20);
      try {
        await Promise.all(
          Array.from({ length: 6 }, () => client.call('res.partner', 'search_count', [[]])),
        );
      } finally {
        sim.faults.setLatencyMs(0);
      }
      assert.equal(
        observed.state.maxInFlight,
        2,
        'two calls in flight at most, and the two permits are used',
      );
      if (protocol === 'jsonrpc') {
        const ids = observed.state.bodies.map((body) => (JSON.parse(body) as { id: number }).id);
        assert.deepEqual(
          ids,
          ids.map((_id, index) => index + 1),
        );
      }
    });
  });
}
