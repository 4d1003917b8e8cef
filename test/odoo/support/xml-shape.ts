/**
 * Shape comparison for XML-RPC bodies, where the wire types matter: <int> and <double>
 * are different shapes even for equal numbers, <boolean>0 is how Odoo writes "empty".
 */
import { XMLParser } from 'fast-xml-parser';
import { isVolatile, normalizeText } from './values-compare.ts';

export type TypedValue =
  | { t: 'array'; items: TypedValue[] }
  | { t: 'struct'; members: Record<string, TypedValue> }
  | { t: string; text: string };

type Node = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
});
const tagOf = (node: Node): string => Object.keys(node)[0] ?? '';
const elements = (node: Node): Node[] =>
  ((node[tagOf(node)] as Node[] | undefined) ?? []).filter((child) => tagOf(child) !== '#text');
const text = (node: Node): string =>
  ((node[tagOf(node)] as Node[] | undefined) ?? [])
    .filter((c) => tagOf(c) === '#text')
    .map((c) => String(c['#text']))
    .join('');

function typed(valueNode: Node): TypedValue {
  const [inner] = elements(valueNode);
  if (inner === undefined) return { t: 'string', text: text(valueNode) };
  const tag = tagOf(inner);
  if (tag === 'array')
    return { t: 'array', items: elements(elements(inner)[0] ?? { data: [] }).map(typed) };
  if (tag === 'struct') {
    const members: Record<string, TypedValue> = {};
    for (const member of elements(inner)) {
      const name = elements(member).find((part) => tagOf(part) === 'name');
      const value = elements(member).find((part) => tagOf(part) === 'value');
      if (name !== undefined && value !== undefined) members[text(name)] = typed(value);
    }
    return { t: 'struct', members };
  }
  return { t: tag === 'i4' ? 'int' : tag, text: text(inner) };
}

/** The <value> of a methodResponse's param or fault, as a typed tree. */
export function typedResponse(xml: string): { kind: 'params' | 'fault'; value: TypedValue } {
  const root = (parser.parse(xml) as Node[]).find((node) => tagOf(node) === 'methodResponse');
  const content = root === undefined ? undefined : elements(root)[0];
  if (content === undefined) throw new Error('not a methodResponse');
  const valueNode =
    tagOf(content) === 'fault' ? elements(content)[0] : elements(elements(content)[0] ?? {})[0];
  return {
    kind: tagOf(content) === 'fault' ? 'fault' : 'params',
    value: typed(valueNode ?? { value: [] }),
  };
}

function scalarListType(items: TypedValue[]): string | null {
  if (items.length === 0) return '';
  const first = items[0]?.t ?? '';
  return first !== 'array' && first !== 'struct' && items.every((item) => item.t === first)
    ? first
    : null;
}

export function compareTyped(expected: TypedValue, actual: TypedValue, path = '$'): string[] {
  if (expected.t !== actual.t) return [`${path}: expected <${expected.t}>, got <${actual.t}>`];
  if (expected.t === 'array' && actual.t === 'array' && 'items' in expected && 'items' in actual) {
    const [left, right] = [scalarListType(expected.items), scalarListType(actual.items)];
    if (left !== null && right !== null && (left === '' || right === '' || left === right))
      return [];
    if (expected.items.length !== actual.items.length)
      return [`${path}: expected ${expected.items.length} items, got ${actual.items.length}`];
    return expected.items.flatMap((item, index) =>
      compareTyped(item, actual.items[index] ?? { t: 'missing', text: '' }, `${path}[${index}]`),
    );
  }
  if ('members' in expected && 'members' in actual) {
    const keys = [
      ...new Set([...Object.keys(expected.members), ...Object.keys(actual.members)]),
    ].sort();
    return keys.flatMap((key) => {
      const [left, right] = [expected.members[key], actual.members[key]];
      if (left === undefined || right === undefined)
        return [`${path}.${key}: ${left === undefined ? 'unexpected' : 'missing'} member`];
      return compareTyped(left, right, `${path}.${key}`);
    });
  }
  return [];
}

/** Values of two typed trees whose shapes match (doubles numerically, strings normalized). */
export function compareTypedValues(
  expected: TypedValue,
  actual: TypedValue,
  path: string,
  volatile: readonly string[],
  mapBack: (text: string) => string,
): string[] {
  if (isVolatile(path, volatile)) return [];
  if ('items' in expected && 'items' in actual) {
    if (expected.items.length !== actual.items.length)
      return [`${path}: ${actual.items.length} values, recorded ${expected.items.length}`];
    return expected.items.flatMap((item, index) =>
      compareTypedValues(
        item,
        actual.items[index] ?? { t: 'missing', text: '' },
        `${path}[${index}]`,
        volatile,
        mapBack,
      ),
    );
  }
  if ('members' in expected && 'members' in actual) {
    return Object.keys(expected.members).flatMap((key) => {
      const [left, right] = [expected.members[key], actual.members[key]];
      return left === undefined || right === undefined
        ? []
        : compareTypedValues(left, right, `${path}.${key}`, volatile, mapBack);
    });
  }
  if (!('text' in expected) || !('text' in actual)) return [];
  const same =
    expected.t === 'double'
      ? Math.abs(Number(expected.text) - Number(actual.text)) < 1e-9
      : normalizeText(expected.text) === normalizeText(mapBack(actual.text));
  return same
    ? []
    : [`${path}: <${actual.t}>${actual.text.slice(0, 60)}, recorded ${expected.text.slice(0, 60)}`];
}
