/**
 * Trigger schemas: a JSON Schema's `required` holds whether or not `properties` lists the key,
 * at every depth, as JSON Schema says (zod's converter alone read it only for listed keys).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileJsonSchema } from '../../src/workflows/index.ts';

const accepts = (schema: Record<string, unknown>, value: unknown) =>
  compileJsonSchema(schema).safeParse(value).success;
const failingPaths = (schema: Record<string, unknown>, value: unknown) => {
  const result = compileJsonSchema(schema).safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

describe('trigger schemas', () => {
  test('a required key no property describes is still required', () => {
    const schema = { type: 'object', required: ['picking_id'] };
    assert.deepEqual(failingPaths(schema, {}), ['picking_id']);
    assert.equal(accepts(schema, { picking_id: 7 }), true);
    assert.equal(accepts(schema, { picking_id: null }), true, 'present, any value');
    assert.deepEqual(failingPaths({ required: ['a'] }, {}), ['a'], 'without a type too');
  });

  test('beside described properties, and at every depth', () => {
    const schema = {
      type: 'object',
      required: ['purchase_order', 'new_date'],
      properties: {
        purchase_order: { type: 'string' },
        line: { type: 'object', required: ['product_id'] },
        lines: { type: 'array', items: { type: 'object', required: ['qty'] } },
      },
    };
    assert.deepEqual(failingPaths(schema, { purchase_order: 'P00015' }), ['new_date']);
    assert.deepEqual(
      failingPaths(schema, {
        purchase_order: 'P1',
        new_date: 'x',
        line: {},
        lines: [{ qty: 1 }, {}],
      }),
      ['line.product_id', 'lines.1.qty'],
    );
  });

  test('each branch of anyOf keeps its own required keys', () => {
    const schema = { type: 'object', anyOf: [{ required: ['bill_id'] }, { required: ['id'] }] };
    assert.equal(accepts(schema, { bill_id: 3 }), true);
    assert.equal(accepts(schema, { id: 3 }), true);
    assert.equal(accepts(schema, { other: 3 }), false);
  });

  test('a schema is not widened: additionalProperties false still refuses an unlisted key', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'number' } },
      additionalProperties: false,
    };
    assert.equal(accepts(schema, { a: 1 }), true);
    assert.equal(accepts(schema, { a: 1, b: 2 }), false);
  });
});
