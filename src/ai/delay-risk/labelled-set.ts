/**
 * Labelled deliveries, for `crossdock ai eval delay_risk` and for training from a file: JSON
 * lines, one delivery a line, `{ "carrier", "warehouse", "country", "zip", "promised",
 * "category", "backlog", "late" }` (carrier, country, zip and category may be null). Each is
 * written as the model's features exactly as a scored delivery is.
 */
import { z } from 'zod';
import { readLabelledLines } from '../labelled-set.ts';
import { featureText } from './features.ts';

const Text = z.string().trim().min(1).max(200);

const LabelledDeliveryLine = z.strictObject({
  /** The order or transfer it was, for the reader; not a feature. */
  order: Text.optional(),
  carrier: Text.nullable(),
  warehouse: Text,
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO country code (DE)')
    .nullable(),
  zip: z.string().trim().min(1).max(20).nullable(),
  promised: z.iso.date('a date YYYY-MM-DD'),
  category: Text.nullable(),
  backlog: z.int().min(0).max(100_000),
  late: z.boolean(),
});

export interface LabelledDelivery {
  /** The delivery's features, as the model is given them. */
  text: string;
  late: boolean;
  /** 1-based line of the file. */
  line: number;
}

/** Reads a labelled set; every bad line is named (file, line, field) before anything is used. */
export function readDelaySet(file: string): LabelledDelivery[] {
  return readLabelledLines(file, LabelledDeliveryLine, 'delivery').map(({ value: d, line }) => {
    const text = featureText({
      carrier: d.carrier,
      warehouse: d.warehouse,
      country: d.country,
      zip: d.zip,
      promised: new Date(`${d.promised}T00:00:00Z`),
      productClass: d.category,
      backlog: d.backlog,
    });
    return { text, late: d.late, line };
  });
}
