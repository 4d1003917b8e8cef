import { z } from 'zod';

type Schema = Record<string, unknown>;

/**
 * A trigger's JSON Schema as a zod type. zod reads `required` only for keys that `properties`
 * also lists: `{ type: object, required: [picking_id] }` alone would accept `{}`. So every
 * required key missing from `properties` is given one that accepts any value (unless
 * `additionalProperties: false` forbids the key, which JSON Schema makes unsatisfiable
 * anyway), at every depth, before the schema is compiled. Throws what zod throws for a
 * schema it cannot use.
 */
export function compileJsonSchema(schema: Schema): z.ZodType {
  return z.fromJSONSchema(withRequiredProperties(schema) as Parameters<typeof z.fromJSONSchema>[0]);
}

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_VALUES = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

function withRequiredProperties(node: unknown): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const schema: Schema = { ...(node as Schema) };
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (map && typeof map === 'object' && !Array.isArray(map))
      schema[key] = Object.fromEntries(
        Object.entries(map as Schema).map(([k, v]) => [k, withRequiredProperties(v)]),
      );
  }
  for (const key of SCHEMA_LISTS) {
    if (Array.isArray(schema[key]))
      schema[key] = (schema[key] as unknown[]).map(withRequiredProperties);
  }
  for (const key of SCHEMA_VALUES) {
    if (schema[key] !== undefined)
      schema[key] = Array.isArray(schema[key])
        ? (schema[key] as unknown[]).map(withRequiredProperties)
        : withRequiredProperties(schema[key]);
  }
  const required = Array.isArray(schema.required)
    ? schema.required.filter((k): k is string => typeof k === 'string')
    : [];
  const properties = (schema.properties ?? {}) as Schema;
  const missing = required.filter((k) => !(k in properties));
  if (missing.length > 0 && schema.additionalProperties !== false) {
    schema.properties = { ...properties, ...Object.fromEntries(missing.map((k) => [k, {}])) };
    schema.type ??= 'object';
  }
  return schema;
}
