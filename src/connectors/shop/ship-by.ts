/**
 * A shop order's ship-by: the latest time it may leave the warehouse. A marketplace sends it
 * with the order (`latest_ship_date`); otherwise the shop's configured SLA gives it: hours
 * after the order, or business days (Monday to Friday, in the shop's time zone) with a cut-off
 * time. It becomes the runs' priority (the workflows' `priority.due_by`), the sale order's
 * `commitment_date`, and the times the ship-by watch acts at.
 */
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM (24 h)');
const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'an IANA time zone, e.g. Europe/Berlin' },
);

export const ShipBySlaSchema = z.union([
  z.strictObject({
    /** The order ships within this many hours of being placed. */
    hours_after_order: z.int().min(1).max(720),
  }),
  z.strictObject({
    /** Business days after the order's first business day (0: the same day). */
    business_days: z.int().min(0).max(30),
    /** Orders placed after this local time count from the next business day; the ship-by is this time. */
    cutoff: hhmm,
    time_zone: timeZone,
  }),
]);
export type ShipBySla = z.output<typeof ShipBySlaSchema>;

export const ShipByConfigSchema = z.strictObject({
  /** Used when an order carries no latest_ship_date. Absent: such orders have no ship-by. */
  sla: ShipBySlaSchema.optional(),
  /** The delivery gets Odoo's priority Urgent ('1') once the ship-by is this close. */
  urgent_within_hours: z.number().positive().max(720).default(24),
  /** The order is flagged at risk (a note on its delivery) once the ship-by is this close and it has not shipped. */
  at_risk_hours: z.number().positive().max(720).default(4),
});

export interface ShipByPolicy {
  sla: ShipBySla | null;
  urgentWithinHours: number;
  atRiskHours: number;
}

const HOUR_MS = 3_600_000;

/** The local calendar date, weekday and minutes of a moment in a zone. */
function localParts(at: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekend: parts.weekday === 'Sat' || parts.weekday === 'Sun',
  };
}

/** The moment a local wall-clock time occurs in a zone (the zone's offset at that time). */
function zonedInstant(y: number, m: number, d: number, minutes: number, zone: string): Date {
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const seen = localParts(new Date(guess), zone);
  const offset = Date.UTC(seen.y, seen.m - 1, seen.d, 0, seen.minutes) - guess;
  return new Date(guess - offset);
}

/** The ship-by an SLA gives an order placed at `placedAt`. */
export function shipByFromSla(sla: ShipBySla, placedAt: Date): Date {
  if ('hours_after_order' in sla)
    return new Date(placedAt.getTime() + sla.hours_after_order * HOUR_MS);
  const [h, min] = sla.cutoff.split(':').map(Number) as [number, number];
  const cutoff = h * 60 + min;
  let day = localParts(placedAt, sla.time_zone);
  // The first business day is the order's own if it is one and the order came before the cut-off.
  let left = sla.business_days + (day.weekend || day.minutes >= cutoff ? 1 : 0);
  let noon = zonedInstant(day.y, day.m, day.d, 12 * 60, sla.time_zone);
  while (left > 0 || day.weekend) {
    noon = new Date(noon.getTime() + 24 * HOUR_MS);
    day = localParts(noon, sla.time_zone);
    if (!day.weekend) left--;
  }
  return zonedInstant(day.y, day.m, day.d, cutoff, sla.time_zone);
}

/** What the order's event carries about its ship-by (all null when it has none). */
export function shipByFields(
  policy: ShipByPolicy,
  given: string | null | undefined,
  placedAt: string,
): Record<string, unknown> {
  const placed = new Date(placedAt);
  if (!given && policy.sla && !Number.isFinite(placed.getTime()))
    throw new CrossdockError(
      'SHOP_WEBHOOK_INVALID',
      `The order's created_at "${placedAt.slice(0, 40)}" is not a date-time, and the shop's ship-by SLA counts from it`,
      {
        category: 'user',
        retryable: false,
        details: [
          { path: 'created_at', message: 'a date-time with an offset, e.g. 2026-03-02T09:15:00Z' },
        ],
      },
    );
  const at = given ? new Date(given) : policy.sla ? shipByFromSla(policy.sla, placed) : null;
  if (at === null)
    return {
      ship_by: null,
      ship_by_from: null,
      ship_by_urgent_at: null,
      ship_by_at_risk_at: null,
      ship_by_odoo: null,
    };
  const before = (hours: number) => new Date(at.getTime() - hours * HOUR_MS).toISOString();
  return {
    ship_by: at.toISOString(),
    ship_by_from: given ? 'order' : 'shop sla',
    ship_by_urgent_at: before(policy.urgentWithinHours),
    ship_by_at_risk_at: before(policy.atRiskHours),
    /** As Odoo writes datetimes: naive UTC, to the second. */
    ship_by_odoo: at.toISOString().slice(0, 19).replace('T', ' '),
  };
}
