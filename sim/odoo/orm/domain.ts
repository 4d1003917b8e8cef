/**
 * Search domains: parsing Odoo's prefix notation and evaluating it against rows.
 * Errors are Odoo 17's: a non-list domain is an AssertionError, an unknown operator
 * "Invalid leaf (...)", an unknown field "Invalid field model.x in leaf (...)".
 * Dotted paths follow relations ("location_id.usage"); on x2many they mean "any".
 */
import { py, pyTupleRepr } from '../errors.ts';
import type { Env } from './env.ts';
import { fieldOf } from './model.ts';

const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  '<=',
  '<',
  '>',
  '>=',
  '=?',
  '=like',
  '=ilike',
  'like',
  'not like',
  'ilike',
  'not ilike',
  'in',
  'not in',
  'child_of',
  'parent_of',
  'any',
  'not any',
]);

export type DomainNode =
  | { kind: 'and' | 'or'; left: DomainNode; right: DomainNode }
  | { kind: 'not'; child: DomainNode }
  | { kind: 'leaf'; path: string[]; operator: string; value: unknown }
  | { kind: 'constant'; value: boolean };

const TRUE_NODE: DomainNode = { kind: 'constant', value: true };

function parseLeaf(env: Env, model: string, term: unknown): DomainNode {
  if (!Array.isArray(term) || term.length !== 3)
    throw py.valueError(`Invalid leaf ${JSON.stringify(term)}`);
  const [left, rawOperator, value] = term as [unknown, unknown, unknown];
  if ((left === 1 || left === 0) && rawOperator === '=' && value === 1)
    return { kind: 'constant', value: left === 1 };
  const operator = typeof rawOperator === 'string' ? rawOperator.toLowerCase() : '';
  if (typeof left !== 'string' || !OPERATORS.has(operator))
    throw py.valueError(`Invalid leaf ${pyTupleRepr(term)}`);
  const path = left.split('.');
  const head = path[0] ?? '';
  if (head !== 'id' && fieldOf(env.model(model), head) === undefined) {
    throw py.valueError(env.runtime.messages.invalidLeafField(model, head, pyTupleRepr(term)));
  }
  return { kind: 'leaf', path, operator: operator === '<>' ? '!=' : operator, value };
}

/** Parses a domain; the top level is an implicit AND of complete expressions. */
export function parseDomain(env: Env, model: string, domain: unknown): DomainNode {
  if (!Array.isArray(domain)) {
    throw py.assertionError(
      "Domains to normalize must have a 'domain' form: a list or tuple of domain components",
    );
  }
  const terms: unknown[] = [...domain];
  let position = 0;
  const next = (): DomainNode => {
    if (position >= terms.length) throw py.valueError(`Invalid domain ${JSON.stringify(domain)}`);
    const term = terms[position++];
    if (term === '&' || term === '|')
      return { kind: term === '&' ? 'and' : 'or', left: next(), right: next() };
    if (term === '!') return { kind: 'not', child: next() };
    return parseLeaf(env, model, term);
  };
  let node: DomainNode = TRUE_NODE;
  let first = true;
  while (position < terms.length) {
    const expression = next();
    node = first ? expression : { kind: 'and', left: node, right: expression };
    first = false;
  }
  return node;
}

export function matches(env: Env, model: string, node: DomainNode, id: number): boolean {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'not':
      return !matches(env, model, node.child, id);
    case 'and':
      return matches(env, model, node.left, id) && matches(env, model, node.right, id);
    case 'or':
      return matches(env, model, node.left, id) || matches(env, model, node.right, id);
    case 'leaf':
      return matchPath(env, model, id, node.path, node.operator, node.value);
  }
}

function relatedIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((item): item is number => typeof item === 'number');
  return [];
}

function matchPath(
  env: Env,
  model: string,
  id: number,
  path: string[],
  operator: string,
  value: unknown,
): boolean {
  const [head, ...rest] = path;
  if (head === undefined) return false;
  if (rest.length === 0) return compareField(env, model, id, head, operator, value);
  const field = env.field(model, head);
  if (field.relation === undefined)
    throw py.valueError(`Invalid field ${model}.${head}: not a relation`);
  const relation = field.relation;
  // A path through a relation keeps a record when any related record matches.
  return relatedIds(env.value(model, id, head)).some((related) => {
    if (rest[0] !== 'id' && fieldOf(env.model(relation), rest[0] ?? '') === undefined) {
      throw py.valueError(`Invalid field ${relation}.${rest[0]} in leaf`);
    }
    return matchPath(env, relation, related, rest, operator, value);
  });
}

function likePattern(pattern: string, anchored: boolean, insensitive: boolean): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(anchored ? `^${escaped}$` : escaped, insensitive ? 'is' : 's');
}

function compareField(
  env: Env,
  model: string,
  id: number,
  name: string,
  operator: string,
  value: unknown,
): boolean {
  if (name === 'id') return compareScalar(id, operator, value);
  const field = env.field(model, name);
  const raw = env.value(model, id, name);
  if (field.type === 'many2one' || field.type === 'one2many' || field.type === 'many2many') {
    return compareRelational(env, field.relation ?? '', relatedIds(raw), operator, value);
  }
  if (
    operator === 'child_of' ||
    operator === 'parent_of' ||
    operator === 'any' ||
    operator === 'not any'
  ) {
    throw py.valueError(`Invalid operator ${operator} for ${model}.${name}`);
  }
  if (field.type !== 'datetime') return compareScalar(raw, operator, value);
  const right = Array.isArray(value)
    ? value.map((item) => datetimeOperand(item, operator))
    : datetimeOperand(value, operator);
  return compareScalar(datetimeOperand(raw, operator), operator, right);
}

/**
 * A datetime as PostgreSQL compares a timestamp column with a string: at full precision
 * ("…:10" is "…:10.000000", below a row written at "…:10.4"), the ISO "T" accepted. A bare
 * date is widened as Odoo's expression does: to 23:59:59 for > and <=, else to 00:00:00.
 */
function datetimeOperand(value: unknown, operator: string): unknown {
  if (typeof value !== 'string') return value;
  const text =
    value.length === 10
      ? `${value} ${operator === '>' || operator === '<=' ? '23:59:59' : '00:00:00'}`
      : value.replace('T', ' ');
  const [whole, fraction = ''] = text.split('.');
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(whole ?? '') && /^\d{0,6}$/.test(fraction)
    ? `${whole}.${fraction.padEnd(6, '0')}`
    : text;
}

function compareRelational(
  env: Env,
  relation: string,
  ids: number[],
  operator: string,
  value: unknown,
): boolean {
  if (operator === 'any' || operator === 'not any') {
    const node = parseDomain(env, relation, value);
    const found = ids.some((related) => matches(env, relation, node, related));
    return operator === 'any' ? found : !found;
  }
  if (operator === 'child_of' || operator === 'parent_of') {
    const roots = relatedIds(value);
    return ids.some((related) =>
      hierarchy(env, relation, related, operator).some((other) => roots.includes(other)),
    );
  }
  if (
    typeof value === 'string' ||
    (Array.isArray(value) && value.some((item) => typeof item === 'string'))
  ) {
    const names = ids.map((related) => env.displayName(relation, related));
    return names.length === 0
      ? compareScalar(false, operator, value)
      : names.some((name) => compareScalar(name, operator, value));
  }
  if (ids.length === 0) return compareScalar(false, operator, value);
  if (operator === '!=' || operator === 'not in')
    return ids.every((related) => compareScalar(related, operator, value));
  return ids.some((related) => compareScalar(related, operator, value));
}

/** Ancestors (child_of asks "is my ancestor among roots") or descendants via parent_id. */
function hierarchy(env: Env, model: string, id: number, operator: string): number[] {
  if (operator === 'child_of') {
    const chain = [id];
    let current = env.row(model, id)?.parent_id;
    while (typeof current === 'number' && !chain.includes(current)) {
      chain.push(current);
      current = env.row(model, current)?.parent_id;
    }
    return chain;
  }
  const descendants = [id];
  for (let index = 0; index < descendants.length; index += 1) {
    for (const other of env.tx.ids(model)) {
      if (env.row(model, other)?.parent_id === descendants[index] && !descendants.includes(other))
        descendants.push(other);
    }
  }
  return descendants;
}

function isEmpty(value: unknown): boolean {
  return value === false || value === null || value === undefined || value === '';
}

function compareScalar(actual: unknown, operator: string, expected: unknown): boolean {
  switch (operator) {
    case '=':
      return isEmpty(expected) ? isEmpty(actual) : actual === expected;
    case '!=':
      return isEmpty(expected) ? !isEmpty(actual) : actual !== expected;
    case '=?':
      return isEmpty(expected) ? true : actual === expected;
    case 'in':
    case 'not in': {
      const list = Array.isArray(expected) ? expected : [expected];
      const found = list.some((item) => (isEmpty(item) ? isEmpty(actual) : item === actual));
      return operator === 'in' ? found : !found;
    }
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compareOrdered(actual, operator, expected);
    default:
      return compareText(actual, operator, expected);
  }
}

function compareOrdered(actual: unknown, operator: string, expected: unknown): boolean {
  if (isEmpty(actual) || isEmpty(expected)) return false;
  const [a, b] = [actual as string | number, expected as string | number];
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  if (operator === '>') return a > b;
  return a >= b;
}

function compareText(actual: unknown, operator: string, expected: unknown): boolean {
  const negated = operator.startsWith('not ');
  const base = negated ? operator.slice(4) : operator;
  if (isEmpty(actual)) return negated;
  const pattern = likePattern(String(expected), base.startsWith('='), base.endsWith('ilike'));
  const found = pattern.test(String(actual));
  return negated ? !found : found;
}
