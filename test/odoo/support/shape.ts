/**
 * Shape comparison for replayed exchanges: same JSON types, same object keys, same
 * encodings (a many2one pair stays [number, string], an empty value stays false), but not
 * the same volatile values (ids, timestamps, totals that depend on earlier state).
 *
 * Arrays: a list of scalars of one type (ids) matches any list of that type, or an empty
 * list, whatever its length, because how many ids a relation holds depends on state. A
 * mixed list (a many2one pair, ["ADD", []]) is a tuple and must match element by element,
 * as must lists of objects or lists (records, name_search pairs) and their lengths.
 */

type Scalar = 'null' | 'boolean' | 'number' | 'string';

function scalarType(value: unknown): Scalar | null {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return null;
}

/** The element type of a homogeneous scalar list, '' for an empty list, null otherwise. */
function scalarListType(values: unknown[]): Scalar | '' | null {
  if (values.length === 0) return '';
  const first = scalarType(values[0]);
  return first !== null && values.every((value) => scalarType(value) === first) ? first : null;
}

function describe(value: unknown): string {
  const type = Array.isArray(value) ? 'array' : (scalarType(value) ?? 'object');
  const text = JSON.stringify(value);
  return `${type} ${text === undefined ? '' : text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** Differences between the shapes of `expected` and `actual`; empty when they match. */
export function compareShapes(expected: unknown, actual: unknown, path = '$'): string[] {
  const expectedScalar = scalarType(expected);
  if (expectedScalar !== null || scalarType(actual) !== null) {
    return expectedScalar === scalarType(actual)
      ? []
      : [`${path}: expected ${describe(expected)}, got ${describe(actual)}`];
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual))
      return [`${path}: expected ${describe(expected)}, got ${describe(actual)}`];
    return compareArrays(expected, actual, path);
  }
  return compareObjects(
    expected as Record<string, unknown>,
    actual as Record<string, unknown>,
    path,
  );
}

function compareArrays(expected: unknown[], actual: unknown[], path: string): string[] {
  const expectedList = scalarListType(expected);
  const actualList = scalarListType(actual);
  const isTuple = (values: unknown[]) =>
    values.length > 0 &&
    values.every((value) => scalarType(value) !== null) &&
    scalarListType(values) === null;
  if (expectedList !== null && actualList !== null && !isTuple(expected) && !isTuple(actual)) {
    const compatible = expectedList === '' || actualList === '' || expectedList === actualList;
    return compatible
      ? []
      : [`${path}: expected a list of ${expectedList}, got a list of ${actualList}`];
  }
  if (expected.length !== actual.length)
    return [`${path}: expected ${expected.length} items, got ${actual.length}`];
  return expected.flatMap((item, index) => compareShapes(item, actual[index], `${path}[${index}]`));
}

function compareObjects(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  path: string,
): string[] {
  const expectedKeys = Object.keys(expected).sort();
  const actualKeys = Object.keys(actual).sort();
  const missing = expectedKeys.filter((key) => !(key in actual));
  const extra = actualKeys.filter((key) => !(key in expected));
  const differences: string[] = [];
  if (missing.length > 0) differences.push(`${path}: missing keys ${missing.join(', ')}`);
  if (extra.length > 0) differences.push(`${path}: unexpected keys ${extra.join(', ')}`);
  for (const key of expectedKeys.filter((name) => name in actual)) {
    differences.push(...compareShapes(expected[key], actual[key], `${path}.${key}`));
  }
  return differences;
}
