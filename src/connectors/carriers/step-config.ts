/** Configuration pieces the carrier steps share. */
import { z } from 'zod';
import { collectExpressions } from '../../workflows/index.ts';
import { CarrierCodeSchema, ShipmentSchema, type Shipment } from './model.ts';

/**
 * A value given literally, as one `=`-expression, or as an object or list whose members
 * may be expressions. While any expression is left (when the workflow loads) it is taken
 * as it is; once the engine has resolved them all (at run time) it is checked strictly
 * against `schema`, with each problem at its path.
 */
export function templated<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>> {
  return z.unknown().transform((value, ctx) => {
    if (collectExpressions(value).length > 0) return value as z.output<T>;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as z.output<T>;
    for (const issue of parsed.error.issues)
      ctx.addIssue({
        code: 'custom',
        message: issue.message,
        path: issue.path as (string | number)[],
      });
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<T>>;
}

export const CarrierChoiceSchema = z.union([
  CarrierCodeSchema,
  z.strictObject({ carrier: CarrierCodeSchema, service: z.string().min(1).max(64).optional() }),
]);
export interface CarrierChoice {
  carrier: string;
  service: string | null;
}

/** An ordered list of carriers, each at most once (a carrier's idempotency key is per carrier). */
export const carrierListSchema = (max: number) =>
  z
    .array(CarrierChoiceSchema)
    .min(1)
    .max(max)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((item, index) => {
        const code = typeof item === 'string' ? item : item.carrier;
        if (seen.has(code))
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `carrier "${code}" is listed twice`,
          });
        seen.add(code);
      });
    });

export function choicesOf(list: z.output<ReturnType<typeof carrierListSchema>>): CarrierChoice[] {
  return list.map((item) =>
    typeof item === 'string'
      ? { carrier: item, service: null }
      : { carrier: item.carrier, service: item.service ?? null },
  );
}

export const shipmentConfig = () => templated(ShipmentSchema);
export const carrierListConfig = (max: number) => templated(carrierListSchema(max));
export const carrierCodeConfig = () => templated(CarrierCodeSchema);
export const textConfig = () => templated(z.string().min(1).max(200));

/** One line about a shipment for dry runs and messages. */
export function shipmentSummary(shipment: Shipment | unknown): string {
  const s = shipment as Partial<Shipment> | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.parcels)) return 'the shipment';
  const kg = s.parcels.reduce(
    (sum, p) => sum + (typeof p?.weight_kg === 'number' ? p.weight_kg : 0),
    0,
  );
  return `shipment ${s.reference ?? '?'} (${s.from?.country ?? '?'} -> ${s.to?.country ?? '?'}, ${s.parcels.length} parcel(s), ${Math.round(kg * 100) / 100} kg${s.hazardous ? ', hazardous' : ''})`;
}

/** Carrier codes as text for dry runs. */
export function carrierNames(list: unknown): string {
  if (!Array.isArray(list)) return String(list);
  return list
    .map((item) =>
      typeof item === 'string'
        ? item
        : `${(item as CarrierChoice).carrier}${(item as CarrierChoice).service ? ` (${(item as CarrierChoice).service})` : ''}`,
    )
    .join(', then ');
}
