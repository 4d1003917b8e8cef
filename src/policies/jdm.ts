import { z } from 'zod';

/**
 * The JDM (JSON Decision Model) that GoRules zen-engine evaluates: a graph of nodes joined
 * by edges. We check the parts we rely on (the graph and decision tables) strictly enough
 * to name a precise problem, and keep every other node kind as zen defines it (loose), so
 * a file made with the GoRules editor loads unchanged.
 */
export const NodeType = {
  input: 'inputNode',
  output: 'outputNode',
  table: 'decisionTableNode',
  expression: 'expressionNode',
  switch: 'switchNode',
  function: 'functionNode',
  decision: 'decisionNode',
} as const;

/** Columns of a table: an input with a `field` tests that field with a unary cell ("> 100"). */
export const TableInput = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1, 'a column needs a name'),
  field: z.string().optional(),
});
export const TableOutput = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1, 'a column needs a name'),
  field: z.string().min(1, 'an output column needs the field it sets'),
});

/** A rule row: `_id`, optional `_description`, and one cell per column id. */
export const TableRule = z.record(z.string(), z.string());

export const HitPolicy = { first: 'first', collect: 'collect' } as const;
export type HitPolicy = (typeof HitPolicy)[keyof typeof HitPolicy];

export const TableContent = z.looseObject({
  hitPolicy: z.enum([HitPolicy.first, HitPolicy.collect]),
  inputs: z.array(TableInput),
  outputs: z.array(TableOutput).min(1, 'a decision table needs at least one output column'),
  rules: z.array(TableRule),
});
export type TableContent = z.infer<typeof TableContent>;

export const JdmNode = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1, 'a node needs a name'),
  type: z.string().min(1),
  content: z.unknown().optional(),
});
export type JdmNode = z.infer<typeof JdmNode>;

export const JdmEdge = z.looseObject({
  id: z.string().min(1),
  sourceId: z.string().min(1),
  targetId: z.string().min(1),
  sourceHandle: z.string().optional(),
});

export const JdmContent = z.looseObject({
  nodes: z.array(JdmNode).min(1, 'a decision graph needs nodes'),
  edges: z.array(JdmEdge),
});
export type JdmContent = z.infer<typeof JdmContent>;

/** Cells other than column ids that a rule row may carry. */
export const RULE_META = new Set(['_id', '_description']);
