/**
 * `crossdock ai eval mail_extraction`: the configured extraction (the provider if
 * CROSSDOCK_AI_URL is set, else the rules) on a labelled set of e-mails, each asked as the
 * `ai.extract` step asks it (redacted). A set is JSON lines: `{ subject, text, from?,
 * expected: { purchase_order, tracking_number, order_name, reason, new_date }, require }`; a
 * field with no single right value (absent, or two orders in one message) is labelled "".
 *
 * Per field: precision = right answers / non-empty answers, recall = right answers /
 * non-empty labels; a reason is right when one contains the other (case and spacing aside),
 * the other fields when equal. At the threshold: coverage = messages the gate would apply
 * (every required value present at or above it) / messages; error rate = those with a
 * required value wrong.
 */
import { z } from 'zod';
import type { AiClient } from '../connectors/ai/index.ts';
import { extractMail, gateConfidence } from './extract.ts';
import { readLabelledLines } from './labelled-set.ts';
import { EXTRACT_FIELDS, type ExtractField } from './extract-rules.ts';

const Field = z.enum(EXTRACT_FIELDS);
const LabelledMail = z.strictObject({
  subject: z.string().max(10_000),
  text: z.string().min(1).max(1_000_000),
  from: z.strictObject({ name: z.string(), address: z.string() }).optional(),
  expected: z.strictObject(
    Object.fromEntries(EXTRACT_FIELDS.map((f) => [f, z.string().max(500)])) as Record<
      ExtractField,
      z.ZodString
    >,
  ),
  require: z.array(Field).min(1),
});
type LabelledMail = z.infer<typeof LabelledMail> & { line: number };

/** Reads a labelled set of e-mails; every bad line is named (file, line, field) before anything is used. */
export function readMailSet(file: string): LabelledMail[] {
  return readLabelledLines(file, LabelledMail, 'e-mail').map(({ value, line }) => ({
    ...value,
    line,
  }));
}

export interface FieldFigures {
  field: ExtractField;
  labelled: number;
  answered: number;
  correct: number;
  precision: number | null;
  recall: number | null;
}

export interface MailEvalReport {
  use: 'mail_extraction';
  model: string;
  messages: number;
  threshold: number;
  fields: FieldFigures[];
  automatic: number;
  automaticWrong: number;
  coverage: number;
  errorRate: number | null;
  /** Each message the gate would have applied with a required value wrong. */
  mistakes: { line: number; field: ExtractField; expected: string; answered: string }[];
  /** Messages the provider failed on, answered by the rules instead. */
  fellBack: number;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

export function rightValue(field: ExtractField, expected: string, answered: string): boolean {
  if (field !== 'reason') return norm(expected) === norm(answered);
  const [e, a] = [norm(expected), norm(answered)];
  return e !== '' && a !== '' && (e.includes(a) || a.includes(e));
}

export async function evaluateMail(
  client: AiClient | null,
  mails: LabelledMail[],
  threshold: number,
): Promise<MailEvalReport> {
  const counts = Object.fromEntries(
    EXTRACT_FIELDS.map((f) => [f, { labelled: 0, answered: 0, correct: 0 }]),
  ) as Record<ExtractField, { labelled: number; answered: number; correct: number }>;
  let automatic = 0;
  let fellBack = 0;
  const mistakes: MailEvalReport['mistakes'] = [];
  let model = client?.model ?? 'crossdock-rules';
  for (const mail of mails) {
    const { answer, provider, error } = await extractMail(client, mail);
    if (provider) model = provider.model;
    if (error && client) fellBack++;
    for (const f of EXTRACT_FIELDS) {
      const expected = mail.expected[f];
      const got = answer[f].value;
      if (expected !== '') counts[f].labelled++;
      if (got !== '') counts[f].answered++;
      if (got !== '' && rightValue(f, expected, got)) counts[f].correct++;
    }
    if (gateConfidence(answer, mail.require) < threshold) continue;
    automatic++;
    const wrong = mail.require.find((f) => !rightValue(f, mail.expected[f], answer[f].value));
    if (wrong)
      mistakes.push({
        line: mail.line,
        field: wrong,
        expected: mail.expected[wrong],
        answered: answer[wrong].value,
      });
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    use: 'mail_extraction',
    model,
    messages: mails.length,
    threshold,
    fields: EXTRACT_FIELDS.map((f) => ({
      field: f,
      ...counts[f],
      precision: ratio(counts[f].correct, counts[f].answered),
      recall: ratio(counts[f].correct, counts[f].labelled),
    })),
    automatic,
    automaticWrong: mistakes.length,
    coverage: automatic / mails.length,
    errorRate: ratio(mistakes.length, automatic),
    mistakes,
    fellBack,
  };
}
