/**
 * Value comparison, on top of the shape comparison: every recorded scalar must come back
 * equal, except
 * - timestamps and dates, which are compared as formats only ("YYYY-MM-DD HH:MM:SS",
 *   with or without microseconds, "YYYY-MM-DD"): they depend on the clock;
 * - Python tracebacks, whose server frames the fixtures elided: the text around the
 *   elision marker must be equal;
 * - paths a replay step declares volatile, each with its reason (see replay-plan*.ts).
 * Strings from the simulator are first mapped back to the lab's (its URL, the listener's
 * URL, webhook UUIDs) by the replay context.
 */

const DATETIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?/g;
const DATE = /\d{4}-\d{2}-\d{2}/g;
const ELIDED_FRAMES = /\n {2}\.\.\. \[[^\]\n]*\] \.\.\.\n/g;

/** Replaces what legitimately varies inside a string by tokens that keep its format. */
export function normalizeText(text: string): string {
  return text
    .replace(DATETIME, (_match, micro: string | undefined) =>
      micro === undefined ? '<datetime>' : '<datetime.us>',
    )
    .replace(DATE, '<date>')
    .replace(ELIDED_FRAMES, '\n  ...\n');
}

/** Path patterns: "$[*].id" matches "$[0].id", "$[3].id", and anything below them. */
function toMatcher(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\\\[\\\*\\\]/g, '\\[\\d+\\]');
  return new RegExp(`^${escaped}(?:$|[.[])`);
}

export function isVolatile(path: string, volatile: readonly string[]): boolean {
  return volatile.some((pattern) => toMatcher(pattern).test(path));
}

function sameScalar(
  expected: unknown,
  actual: unknown,
  mapBack: (text: string) => string,
): boolean {
  if (typeof expected === 'string')
    return typeof actual === 'string' && normalizeText(expected) === normalizeText(mapBack(actual));
  if (typeof expected === 'number' && typeof actual === 'number')
    return Math.abs(expected - actual) < 1e-9;
  return expected === actual;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

/** Differences in values between two JSON values whose shapes already match. */
export function compareValues(
  expected: unknown,
  actual: unknown,
  path: string,
  volatile: readonly string[],
  mapBack: (text: string) => string,
): string[] {
  if (isVolatile(path, volatile)) return [];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length)
      return [
        `${path}: ${actual.length} values ${show(actual)}, recorded ${expected.length} ${show(expected)}`,
      ];
    return expected.flatMap((item, index) =>
      compareValues(item, actual[index], `${path}[${index}]`, volatile, mapBack),
    );
  }
  if (
    typeof expected === 'object' &&
    expected !== null &&
    typeof actual === 'object' &&
    actual !== null
  ) {
    const [left, right] = [expected as Record<string, unknown>, actual as Record<string, unknown>];
    return Object.keys(left).flatMap((key) =>
      compareValues(left[key], right[key], `${path}.${key}`, volatile, mapBack),
    );
  }
  return sameScalar(expected, actual, mapBack)
    ? []
    : [`${path}: ${show(actual)}, recorded ${show(expected)}`];
}
