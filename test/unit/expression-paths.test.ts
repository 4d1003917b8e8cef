import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsonata from 'jsonata';
import { evaluateGuarded } from '../../src/workflows/expression-eval.ts';
import { breachedLimit, DEFAULT_EXPRESSION_LIMITS } from '../../src/workflows/expression-limits.ts';

/**
 * Plain paths (`input.n`) are read without JSONata's evaluator. Whatever the data, the answer
 * must be the one JSONata itself gives (as a step sees it: undefined is null, values are JSON).
 */
const asStepSees = (value: unknown) =>
  value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown);

const contexts: Record<string, unknown> = {
  nested: { input: { n: 7, qty: 0, name: '', ok: false, none: null, deep: { a: { b: 'x' } } } },
  lists: {
    input: {
      one: [1],
      two: [1, 2],
      nested: [[1], [2, 3]],
      empty: [],
      orders: [{ n: 1 }, { n: 2 }],
      single: [{ n: 3 }],
    },
  },
  primitives: { input: 'text', steps: 42, vars: true },
  inherited: { input: {} },
  object: { input: { order: { lines: [{ sku: 'A' }], total: 9.5 } } },
  list: [{ input: { n: 1 } }, { input: { n: 2 } }],
  empty: {},
};

const paths = [
  'input',
  'input.n',
  'input.qty',
  'input.name',
  'input.ok',
  'input.none',
  'input.none.x',
  'input.missing',
  'input.missing.deeper',
  'input.deep.a.b',
  'input.deep.a',
  'input.one',
  'input.two',
  'input.nested',
  'input.empty',
  'input.orders',
  'input.orders.n',
  'input.single.n',
  'input.length',
  'steps.toString',
  'input.constructor',
  'input.constructor.name',
  'input.__proto__',
  'input.hasOwnProperty',
  'input.order',
  'input.order.lines.sku',
  'input.order.total',
  'vars',
  'steps',
];

describe('expressions: plain paths', () => {
  for (const [name, context] of Object.entries(contexts))
    test(`each path over "${name}" answers as JSONata does`, async () => {
      for (const path of paths) {
        const expected = asStepSees(await jsonata(path).evaluate(context));
        const actual = await evaluateGuarded(path, context, DEFAULT_EXPRESSION_LIMITS);
        assert.deepEqual(actual, expected, `${path} over ${name}`);
      }
    });

  test('a word JSONata reads as an operator or a value is not taken for a field name', async () => {
    const context = { true: 'field', null: 'field', input: { and: 1 } };
    for (const source of ['true', 'null', 'false'])
      assert.deepEqual(
        await evaluateGuarded(source, context, DEFAULT_EXPRESSION_LIMITS),
        asStepSees(await jsonata(source).evaluate(context)),
        source,
      );
  });

  test('a text past the output limit is refused on a plain path too, at the end or on the way', async () => {
    const context = { input: { big: 'x'.repeat(2_000) } };
    const limits = { ...DEFAULT_EXPRESSION_LIMITS, maxOutputBytes: 100 };
    for (const source of ['input.big', 'input.big.length'])
      await assert.rejects(
        evaluateGuarded(source, context, limits),
        (e: unknown) => breachedLimit(e) === 'maxOutputBytes',
        source,
      );
  });
});
