/**
 * A typed builder for Odoo search domains. Odoo domains are arrays in prefix (Polish)
 * notation: `["|", ["partner_id", "=", 10], ["partner_id", "=", 12]]`; "&" and "|" take
 * the next two expressions, "!" the next one, and the top level is an implicit AND.
 *
 * Conditions are built as a tree (`and`, `or`, `not`, leaves) and turned into the wire
 * array by `toDomain`, so an unbalanced domain cannot be produced. Operators are typed:
 * `in` takes a list, `like` a string, `any` a nested domain.
 */
import { CrossdockError } from '../../errors/index.ts';

export const DOMAIN_OPERATORS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
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
] as const;
export type DomainOperator = (typeof DOMAIN_OPERATORS)[number];

export type DomainScalar = string | number | boolean;

/** Odoo's constant leaves: (1, '=', 1) is always true, (0, '=', 1) always false. */
export type ConstantLeaf = readonly [1 | 0, '=', 1];
export type DomainLeaf =
  readonly [field: string, operator: DomainOperator, value: unknown] | ConstantLeaf;
export type DomainTerm = '&' | '|' | '!' | DomainLeaf;
export type Domain = readonly DomainTerm[];

type TextOperator = '=like' | '=ilike' | 'like' | 'not like' | 'ilike' | 'not ilike';
type ListOperator = 'in' | 'not in';
type HierarchyOperator = 'child_of' | 'parent_of';
type SubDomainOperator = 'any' | 'not any';

/** What value each operator accepts; `false` stands for "empty" as Odoo encodes it. */
export type DomainValueFor<Op extends DomainOperator> = Op extends ListOperator
  ? readonly DomainScalar[]
  : Op extends TextOperator
    ? string
    : Op extends HierarchyOperator
      ? number | readonly number[]
      : Op extends SubDomainOperator
        ? Condition
        : DomainScalar | false;

export type Condition =
  | {
      readonly kind: 'leaf';
      readonly field: string;
      readonly operator: DomainOperator;
      readonly value: unknown;
    }
  | { readonly kind: 'and'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'or'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition };

const FIELD_PATH = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;
const TRUE_LEAF: ConstantLeaf = [1, '=', 1];
const FALSE_LEAF: ConstantLeaf = [0, '=', 1];

function invalidDomain(message: string): CrossdockError {
  return new CrossdockError('ODOO_INVALID_DOMAIN', message, { category: 'bug', retryable: false });
}

/** One condition `field operator value`; `field` may be a dotted path like "location_id.usage". */
export function leaf<Op extends DomainOperator>(
  field: string,
  operator: Op,
  value: DomainValueFor<Op>,
): Condition {
  if (!FIELD_PATH.test(field))
    throw invalidDomain(`invalid field path in domain: ${JSON.stringify(field)}`);
  if (!(DOMAIN_OPERATORS as readonly string[]).includes(operator)) {
    throw invalidDomain(`unknown domain operator: ${JSON.stringify(operator)}`);
  }
  return { kind: 'leaf', field, operator, value };
}

/** Shorthands for the common leaves; each is `leaf(field, op, value)`. */
export const where = {
  eq: (field: string, value: DomainScalar | false) => leaf(field, '=', value),
  ne: (field: string, value: DomainScalar | false) => leaf(field, '!=', value),
  gt: (field: string, value: DomainScalar) => leaf(field, '>', value),
  gte: (field: string, value: DomainScalar) => leaf(field, '>=', value),
  lt: (field: string, value: DomainScalar) => leaf(field, '<', value),
  lte: (field: string, value: DomainScalar) => leaf(field, '<=', value),
  in: (field: string, values: readonly DomainScalar[]) => leaf(field, 'in', values),
  notIn: (field: string, values: readonly DomainScalar[]) => leaf(field, 'not in', values),
  like: (field: string, pattern: string) => leaf(field, 'like', pattern),
  ilike: (field: string, pattern: string) => leaf(field, 'ilike', pattern),
  notIlike: (field: string, pattern: string) => leaf(field, 'not ilike', pattern),
  childOf: (field: string, ids: number | readonly number[]) => leaf(field, 'child_of', ids),
  any: (field: string, condition: Condition) => leaf(field, 'any', condition),
  isSet: (field: string) => leaf(field, '!=', false),
  isNotSet: (field: string) => leaf(field, '=', false),
};

/** All conditions hold. `and()` with no condition matches every record. */
export function and(...conditions: Condition[]): Condition {
  return { kind: 'and', conditions };
}

/** At least one condition holds. `or()` with no condition matches no record. */
export function or(...conditions: Condition[]): Condition {
  return { kind: 'or', conditions };
}

export function not(condition: Condition): Condition {
  return { kind: 'not', condition };
}

function encodeLeafValue(operator: DomainOperator, value: unknown): unknown {
  if (operator === 'any' || operator === 'not any') return toDomain(value as Condition);
  return value;
}

/** Prefix encoding of a nested condition: n operands of an n-ary AND/OR need n-1 operators. */
function encode(condition: Condition): DomainTerm[] {
  switch (condition.kind) {
    case 'leaf':
      return [
        [condition.field, condition.operator, encodeLeafValue(condition.operator, condition.value)],
      ];
    case 'not':
      return ['!', ...encode(condition.condition)];
    case 'and':
    case 'or': {
      const { conditions } = condition;
      if (conditions.length === 0) return [condition.kind === 'and' ? TRUE_LEAF : FALSE_LEAF];
      const operator = condition.kind === 'and' ? '&' : '|';
      const operators: DomainTerm[] = Array.from({ length: conditions.length - 1 }, () => operator);
      return [...operators, ...conditions.flatMap(encode)];
    }
  }
}

/**
 * The Odoo domain array for a condition. A top-level AND is written as Odoo's implicit
 * AND (a plain list of expressions), so `toDomain(and())` is `[]`, "every record".
 */
export function toDomain(condition: Condition): Domain {
  if (condition.kind === 'and') return condition.conditions.flatMap(encode);
  return encode(condition);
}
