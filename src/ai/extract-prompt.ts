/**
 * The mail-extraction prompt and the answer it asks for: each reference with a confidence,
 * an empty string for what the message does not say. Checked with zod after the provider's
 * strict schema: a date must be a real YYYY-MM-DD, a reference a plain token.
 */
import { z } from 'zod';
import type { AnswerSchema, ChatMessage } from '../connectors/ai/index.ts';
import { EXTRACT_FIELDS, type Extraction } from './extract-rules.ts';

export const EXTRACT_USE = 'mail_references';

const DESCRIBE: Record<(typeof EXTRACT_FIELDS)[number], string> = {
  purchase_order: 'our purchase order number the message is about (e.g. P00015)',
  tracking_number: "the carrier's tracking number",
  order_name: 'our sale order name (e.g. S00012)',
  reason: 'why the goods are late, in a few words',
  new_date: 'the new date the goods will ship or arrive, as YYYY-MM-DD',
};

const confidence = z.number().min(0).max(1);
const reference = z
  .string()
  .trim()
  .max(64)
  .regex(/^[A-Za-z0-9/_.-]*$/, 'a plain reference');
const isoDate = z
  .string()
  .trim()
  .refine(
    (v) =>
      v === '' ||
      (/^\d{4}-\d{2}-\d{2}$/.test(v) &&
        !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
        new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)),
    'a date YYYY-MM-DD, or empty',
  );

/** The values a person may give when overriding an extraction (every field optional). */
export const ExtractedValues = z.strictObject({
  purchase_order: reference.optional(),
  tracking_number: reference.optional(),
  order_name: reference.optional(),
  reason: z.string().trim().max(500).optional(),
  new_date: isoDate.optional(),
});

export function extractSchema(): AnswerSchema<Extraction> {
  const field = (value: z.ZodType<string>) => z.strictObject({ value, confidence });
  return {
    name: 'mail_references',
    jsonSchema: {
      type: 'object',
      properties: Object.fromEntries(
        EXTRACT_FIELDS.map((f) => [
          f,
          {
            type: 'object',
            properties: {
              value: { type: 'string' },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
            },
            required: ['value', 'confidence'],
            additionalProperties: false,
          },
        ]),
      ),
      required: [...EXTRACT_FIELDS],
      additionalProperties: false,
    },
    parse: z.strictObject({
      purchase_order: field(reference),
      tracking_number: field(reference),
      order_name: field(reference),
      reason: field(z.string().trim().max(500)),
      new_date: field(isoDate),
    }),
  };
}

export function extractMessages(mailText: string): ChatMessage[] {
  const system = [
    "You read e-mails from a distributor's suppliers and carriers and extract references.",
    'For each field give its value and your confidence from 0 to 1; an empty value (confidence 0) when the message does not say it:',
    ...EXTRACT_FIELDS.map((f) => `- ${f}: ${DESCRIBE[f]}`),
    'Placeholders such as [person], [email], [phone] and [address] stand for removed personal data.',
  ];
  return [
    { role: 'system', content: system.join('\n') },
    { role: 'user', content: mailText },
  ];
}
