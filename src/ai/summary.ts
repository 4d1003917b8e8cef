/**
 * The offline model's drafted summary of a case: extractive and deterministic, taken from
 * the redacted case text (redactCase's lines) and nothing else, so it says nothing the case
 * does not say and nothing personal. The title, then the first sentence of each free-text
 * detail (note, reason, message ...), then the other plain details as `key value`; cut at
 * MAX_SUMMARY characters on a word boundary.
 */

export const MAX_SUMMARY = 280;

/** Details whose text is prose: their first sentence is worth more than their key. */
const PROSE = /^(note|reason|message|description|comment|text|error|problem|summary)$/;

export function extractiveSummary(redactedText: string): string {
  const field = (name: string) =>
    redactedText
      .split('\n')
      .find((line) => line.startsWith(`${name}: `))
      ?.slice(name.length + 2)
      .trim() ?? '';
  const title = field('title');
  const code = field('code');
  const parts = [`${title}${code && code !== '(none)' ? ` (${code})` : ''}.`];
  const details = parseDetails(field('details'));
  const prose: string[] = [];
  const facts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' && PROSE.test(key)) prose.push(firstSentence(value));
    else if (isPlain(value) && !isPlaceholder(value)) facts.push(`${key} ${String(value)}`);
  }
  parts.push(...prose.filter((p) => p.length > 0));
  if (facts.length > 0) parts.push(`${facts.join(', ')}.`);
  return cut(parts.join(' '));
}

function parseDetails(text: string): Record<string, unknown> {
  if (!text.startsWith('{')) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function firstSentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const end = trimmed.search(/[.!?](\s|$)/);
  const sentence = end === -1 ? trimmed : trimmed.slice(0, end + 1);
  return /[.!?]$/.test(sentence) || sentence === '' ? sentence : `${sentence}.`;
}

const isPlain = (v: unknown) =>
  (typeof v === 'string' && v.length > 0 && v.length <= 60) ||
  typeof v === 'number' ||
  typeof v === 'boolean';

/** A value redaction replaced whole says nothing to the team. */
const isPlaceholder = (v: unknown) =>
  typeof v === 'string' && /^\[(person|email|phone|address|secret)\]$/.test(v);

function cut(text: string): string {
  if (text.length <= MAX_SUMMARY) return text;
  const at = text.lastIndexOf(' ', MAX_SUMMARY - 1);
  return `${text.slice(0, at > 0 ? at : MAX_SUMMARY - 1)}…`;
}
