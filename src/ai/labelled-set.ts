/**
 * Labelled sets of cases, for `crossdock ai eval` and for training from a file: JSON lines,
 * one case a line, `{ "title", "code", "severity", "details", "category", "team" }` (code,
 * severity and details optional). Each case is redacted exactly as a triage redacts a case
 * before its provider sees it, so a set is judged on what the model would be given.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { redactCase } from './redact.ts';
import type { Severity } from '../exceptions/index.ts';

const NAME = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower case letters, digits, _ and -');

const LabelledCase = z.strictObject({
  title: z.string().trim().min(1).max(500),
  code: z.string().trim().min(1).max(100).nullable().default(null),
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
  details: z.record(z.string(), z.unknown()).nullable().default(null),
  category: NAME,
  team: NAME,
});

export interface LabelledCase {
  /** The redacted text, as a provider is given it. */
  text: string;
  category: string;
  team: string;
  /** The case's severity: the severity head's label (and a line of the text). */
  severity: Severity;
  /** 1-based line of the file. */
  line: number;
}

/** Reads a labelled set; every bad line is named (file, line, field) before anything is used. */
export function readLabelledSet(file: string): LabelledCase[] {
  return readLabelledLines(file, LabelledCase, 'case').map(({ value: c, line }) => {
    const { text } = redactCase({
      title: c.title,
      code: c.code,
      severity: c.severity,
      details: c.details,
    });
    return { text, category: c.category, team: c.team, severity: c.severity, line };
  });
}

/**
 * The lines of a labelled set (JSON lines; blank lines and `//` comments are skipped), each
 * checked against `schema`. Every bad line is named by file, line and field before anything is
 * used, and a set with nothing in it is refused (`what` names one item: "case", "delivery").
 */
export function readLabelledLines<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
): { value: z.output<S>; line: number }[] {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CrossdockError('AI_SET_INVALID', `Cannot read the labelled set ${file}`, {
      cause: error,
    });
  }
  const items: { value: z.output<S>; line: number }[] = [];
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
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ path: `${file}:${line} ${issue.path.join('.')}`, message: issue.message });
      return;
    }
    items.push({ value: parsed.data, line });
  });
  if (problems.length > 0)
    throw new CrossdockError(
      'AI_SET_INVALID',
      `The labelled set ${file} has ${problems.length} problem(s)`,
      { details: problems.slice(0, 50) },
    );
  if (items.length === 0)
    throw new CrossdockError('AI_SET_INVALID', `The labelled set ${file} holds no ${what}`);
  return items;
}
