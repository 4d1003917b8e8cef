/** The EDI partners file (CROSSDOCK_EDI_CONFIG): defaults, every bad path listed, secrets from the environment only. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEdiPartners } from '../../src/connectors/edi/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

const partner = (extra: Record<string, unknown> = {}) => ({
  code: 'northwind',
  name: 'Northwind Retail',
  usage: 'P',
  partner_isa: { qualifier: 'ZZ', id: 'NORTHWINDRETL' },
  our_isa: { qualifier: '01', id: '123456789' },
  inbound: { secret_env: 'EDI_NW_IN' },
  outbound: { url: 'https://edi.northwind.example/in', secret_env: 'EDI_NW_OUT' },
  odoo: {
    customer_id: 14,
    ship_to: { '0042': 57 },
    items: [{ buyer_part: 'NW-1', default_code: 'FURN_0001' }],
  },
  ...extra,
});
const ENV = { EDI_NW_IN: 'in-secret-of-some-length', EDI_NW_OUT: 'out-secret-of-some-length' };

function refusal(value: unknown, env: Record<string, string> = ENV): string {
  try {
    parseEdiPartners(value, env);
  } catch (error) {
    assert.ok(error instanceof CrossdockError && error.code === 'EDI_CONFIG_INVALID');
    return error.message;
  }
  assert.fail('accepted');
}

describe('EDI partner configuration', () => {
  test('a partner with its defaults: version 004010, the usual separators, GS ids from the ISA ids', () => {
    const [p] = parseEdiPartners({ partners: [partner()] }, ENV);
    assert.equal(p!.version, '004010');
    assert.deepEqual(p!.delimiters, {
      element: '*',
      component: '>',
      segment: '~',
      repetition: '^',
    });
    assert.deepEqual([p!.partnerGs, p!.ourGs], ['NORTHWINDRETL', '123456789']);
    assert.equal(p!.inbound?.secret, ENV.EDI_NW_IN);
    assert.deepEqual(p!.odoo.items, { 'NW-1': 'FURN_0001' });
    assert.equal(p!.ackWindowHours, 24);
  });

  test('every bad path is named; a secret variable unset is named, never a secret', () => {
    const message = refusal({
      partners: [
        partner({
          usage: 'X',
          separators: { element: '*', component: '*' },
          outbound: { url: 'ftp://x', secret_env: 'EDI_NW_OUT', retry: 1 },
        }),
      ],
    });
    assert.match(message, /partners\.0\.usage/);
    assert.match(message, /partners\.0\.separators/);
    assert.match(message, /partners\.0\.outbound/);
    const unset = refusal({ partners: [partner()] }, { EDI_NW_IN: ENV.EDI_NW_IN });
    assert.match(unset, /partners\.0\.outbound\.secret_env: the variable EDI_NW_OUT is unset/);
    assert.doesNotMatch(unset, /in-secret/);
  });

  test('two partners may not share a code or an ISA id', () => {
    const message = refusal({ partners: [partner(), partner()] });
    assert.match(message, /partners\.1\.code: "northwind" is used twice/);
    assert.match(message, /partners\.1\.partner_isa: the same ISA id as partners\.0/);
  });

  test('a mailbox folder: four absolute, different folders; our documents go to one place', () => {
    const folder = {
      inbox: '/srv/edi/nw/in',
      outbox: '/srv/edi/nw/out',
      archive: '/var/lib/crossdock/edi/nw/archive',
      error: '/var/lib/crossdock/edi/nw/error',
    };
    const [p] = parseEdiPartners(
      { partners: [partner({ inbound: undefined, outbound: undefined, folder })] },
      {},
    );
    assert.deepEqual(p!.folder, {
      ...folder,
      pollIntervalMs: 5_000,
      settleMs: 2_000,
      maxAttempts: 8,
    });
    assert.equal(p!.inbound, null);
    assert.equal(p!.outbound, null);

    const both = refusal({ partners: [partner({ folder })] });
    assert.match(both, /partners\.0\.outbound: our documents go to one place/);
    const neither = refusal({ partners: [partner({ inbound: undefined, outbound: undefined })] });
    assert.match(neither, /partners\.0\.inbound: give inbound \(the HTTP door\) or folder/);
    const bad = refusal({
      partners: [
        partner({
          inbound: undefined,
          outbound: undefined,
          folder: { ...folder, inbox: 'relative/in', archive: folder.error },
        }),
      ],
    });
    assert.match(bad, /partners\.0\.folder\.inbox: an absolute path/);
    const shared = refusal({
      partners: [
        partner({ inbound: undefined, outbound: undefined, folder }),
        partner({
          code: 'other',
          partner_isa: { qualifier: 'ZZ', id: 'OTHER' },
          inbound: undefined,
          outbound: undefined,
          folder: { ...folder, outbox: '/srv/edi/other/out', archive: '/a', error: '/e' },
        }),
      ],
    });
    assert.match(shared, /partners\.1\.folder\.inbox: the same inbox as partners\.0/);
  });

  test("units: the built-in ones, the partner's, an item's own; a unit code or factor that is not one is named", () => {
    const [p] = parseEdiPartners(
      {
        partners: [
          partner({
            odoo: {
              customer_id: 14,
              units: { CA: 12, PL: 480 },
              price_tolerance_percent: 1.5,
              items: [{ buyer_part: 'NW-1', default_code: 'FURN_0001', units: { CA: 24 } }],
            },
          }),
        ],
      },
      ENV,
    );
    assert.deepEqual(p!.odoo.units, { EA: 1, PC: 1, UN: 1, DZ: 12, CA: 12, PL: 480 });
    assert.deepEqual(p!.odoo.itemUnits, { FURN_0001: { CA: 24 } });
    assert.equal(p!.odoo.priceTolerancePercent, 1.5);
    const message = refusal({
      partners: [partner({ odoo: { customer_id: 14, units: { case: 12, BX: 0 } } })],
    });
    assert.match(message, /partners\.0\.odoo\.units\.case: .*two-character X12 unit code/);
    assert.match(message, /partners\.0\.odoo\.units\.BX: /);
  });
});
