import { z } from 'zod';

/** A whole number from min to max, written in an environment variable. */
export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(min).max(max));

/** "true" or "false", written in an environment variable. */
export const bool = z
  .enum(['true', 'false'], { message: 'must be "true" or "false"' })
  .transform((v) => v === 'true');

/** An amount of dollars above 0, at most two decimals after the point: `25`, `12.50`. */
export const dollars = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, 'must be an amount of dollars, such as 25 or 12.50')
  .transform(Number)
  .pipe(z.number().positive('must be more than 0').max(1_000_000));
