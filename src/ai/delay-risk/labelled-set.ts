/**
 * Labelled deliveries, for `crossdock ai eval delay_risk` and for training from a file: JSON
 * lines, one delivery a line, `{ "carrier", "warehouse", "country", "zip", "promised",
 * "category", "backlog", "late" }` (carrier, country, zip and category may be null). Each is
 * written as the model's features exactly as a scored delivery is.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
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
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CrossdockError('AI_SET_INVALID', `Cannot read the labelled set ${file}`, {
      cause: error,
    });
  }
  const cases: LabelledDelivery[] = [];
  const problems: { path: string; message: string }[] = [];
  body.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('//')) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push({ path: `${file}:${line}`, message: 'not a JSON object' });
      return;
    }
    const parsed = LabelledDeliveryLine.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ path: `${file}:${line} ${issue.path.join('.')}`, message: issue.message });
      return;
    }
    const d = parsed.data;
    const text = featureText({
      carrier: d.carrier,
      warehouse: d.warehouse,
      country: d.country,
      zip: d.zip,
      promised: new Date(`${d.promised}T00:00:00Z`),
      productClass: d.category,
      backlog: d.backlog,
    });
    cases.push({ text, late: d.late, line });
  });
  if (problems.length > 0)
    throw new CrossdockError(
      'AI_SET_INVALID',
      `The labelled set ${file} has ${problems.length} problem(s)`,
      { details: problems.slice(0, 50) },
    );
  if (cases.length === 0)
    throw new CrossdockError('AI_SET_INVALID', `The labelled set ${file} holds no delivery`);
  return cases;
}
