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
