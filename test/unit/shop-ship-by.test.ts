/**
 * A shop's ship-by SLA (CROSSDOCK_SHOP_CONFIG `ship_by`): hours after the order, or business
 * days with a cut-off in the shop's time zone (weekends skipped, summer time honoured); and
 * the values it refuses, each naming its path.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShops, shipByFromSla } from '../../src/connectors/shop/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

const ENV = { SHOP_HOOK: 'hook-secret-of-some-length' };
const shop = (shipBy: unknown) => ({
  shops: [
    { code: 'market', name: 'Marketplace', webhook: { secret_env: 'SHOP_HOOK' }, ship_by: shipBy },
  ],
});
const BERLIN = { business_days: 1, cutoff: '14:00', time_zone: 'Europe/Berlin' };
const at = (iso: string) => new Date(iso);

describe('ship-by SLA', () => {
  test('hours after the order', () => {
    assert.equal(
      shipByFromSla({ hours_after_order: 48 }, at('2026-03-06T10:00:00Z')).toISOString(),
      '2026-03-08T10:00:00.000Z',
    );
  });

  test('business days with a cut-off: before it the day counts, after it the next business day does, weekends are skipped', () => {
    const ship = (placed: string) => shipByFromSla(BERLIN, at(placed)).toISOString();
    // Tuesday 3 March 2026, 10:00 in Berlin (UTC+1): day 0 is Tuesday, one business day on is Wednesday 14:00.
    assert.equal(ship('2026-03-03T09:00:00Z'), '2026-03-04T13:00:00.000Z');
    // Tuesday 15:00 in Berlin, after the cut-off: day 0 is Wednesday, so Thursday 14:00.
    assert.equal(ship('2026-03-03T14:00:00Z'), '2026-03-05T13:00:00.000Z');
    // Friday 10:00: day 0 Friday, one business day on is Monday.
    assert.equal(ship('2026-03-06T09:00:00Z'), '2026-03-09T13:00:00.000Z');
    // Saturday: day 0 is Monday, so Tuesday.
    assert.equal(ship('2026-03-07T09:00:00Z'), '2026-03-10T13:00:00.000Z');
    // Same day (0 business days), Berlin in summer time (UTC+2): 14:00 is 12:00 UTC.
    assert.equal(
      shipByFromSla({ ...BERLIN, business_days: 0 }, at('2026-06-02T07:00:00Z')).toISOString(),
      '2026-06-02T12:00:00.000Z',
    );
  });

  test('the shop keeps its policy; urgency and risk have defaults', () => {
    const [s] = parseShops(shop({ sla: BERLIN }), ENV);
    assert.deepEqual(s!.shipBy, { sla: BERLIN, urgentWithinHours: 24, atRiskHours: 4 });
  });

  test('bad values are refused, each naming its path', () => {
    const refused = (shipBy: unknown) => {
      try {
        parseShops(shop(shipBy), ENV);
      } catch (error) {
        assert.ok(error instanceof CrossdockError && error.code === 'SHOP_CONFIG_INVALID');
        return error.details!.map((d) => `${d.path}: ${d.message}`).join('\n');
      }
      return assert.fail('accepted');
    };
    assert.match(
      refused({ sla: { ...BERLIN, time_zone: 'Mars/Olympus' } }),
      /shops\.0\.ship_by\.sla.*IANA time zone/s,
    );
    assert.match(
      refused({ sla: { ...BERLIN, cutoff: '25:00' } }),
      /shops\.0\.ship_by\.sla.*HH:MM/s,
    );
    assert.match(refused({ sla: { hours_after_order: 0 } }), /shops\.0\.ship_by\.sla/);
    assert.match(
      refused({ urgent_within_hours: 2, at_risk_hours: 6 }),
      /shops\.0\.ship_by\.at_risk_hours: 6 is more than urgent_within_hours \(2\)/,
    );
  });
});
