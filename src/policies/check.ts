import { ZenEngine } from '@gorules/zen-engine';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, type DefinitionProblem } from '../workflows/index.ts';
import { cellSyntaxError, zenErrorOf } from './cells.ts';
import { JdmContent, NodeType, RULE_META, TableContent } from './jdm.ts';

/** A problem in a policy file; a table cell's also names its rule row (1-based) and column. */
export interface PolicyProblem extends DefinitionProblem {
  row?: number;
  column?: string;
}

type Path = (string | number)[];
type Found = { path: Path; message: string; row?: number; column?: string };

export type PolicyCheck =
  { ok: true; content: JdmContent } | { ok: false; problems: PolicyProblem[] };

/**
 * Checks one JDM file's text: JSON syntax, the graph (one input node, an output node,
 * edges between known nodes, no cycle) and every decision table (columns, rule ids, and
 * each cell compiled). Every problem names the file, its line, and the JSON path.
 */
export function checkPolicyText(text: string, file: string): PolicyCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          file,
          line: syntaxLine(text, error as Error),
          path: '',
          message: `JSON syntax: ${(error as Error).message}`,
        },
      ],
    };
  }
  // The text again as a document with positions, read only when a problem needs its line.
  let positions: { doc: Document; lines: LineCounter } | undefined;
  const located = () => {
    if (positions) return positions;
    const lines = new LineCounter();
    return (positions = { doc: parseDocument(text, { lineCounter: lines }), lines });
  };
  const locate = (found: Found): PolicyProblem => ({
    file,
    line: lineOf(located(), found.path),
    path: formatPath(found.path),
    message: found.message,
    ...(found.row === undefined ? {} : { row: found.row }),
    ...(found.column === undefined ? {} : { column: found.column }),
  });
  const parsed = JdmContent.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) =>
        locate({ path: i.path as Path, message: i.message }),
      ),
    };
  const found = [
    ...checkGraph(parsed.data),
    ...parsed.data.nodes.flatMap((node, i) => checkNode(node.type, node.content, ['nodes', i])),
  ];
  if (found.length === 0) {
    const graph = zenGraphProblem(parsed.data);
    if (graph) found.push({ path: [], message: graph });
  }
  return found.length > 0
    ? { ok: false, problems: found.map(locate) }
    : { ok: true, content: parsed.data };
}

function checkGraph(jdm: JdmContent): Found[] {
  const found: Found[] = [];
  const ids = new Map<string, number>();
  jdm.nodes.forEach((node, i) => {
    if (ids.has(node.id))
      found.push({
        path: ['nodes', i, 'id'],
        message: `node id "${node.id}" is also used by nodes[${ids.get(node.id)}]`,
      });
    ids.set(node.id, i);
  });
  const inputs = jdm.nodes.filter((n) => n.type === NodeType.input).length;
  if (inputs !== 1)
    found.push({
      path: ['nodes'],
      message:
        inputs === 0
          ? 'the graph has no input node (type inputNode)'
          : `the graph has ${inputs} input nodes; it needs exactly one`,
    });
  if (!jdm.nodes.some((n) => n.type === NodeType.output))
    found.push({ path: ['nodes'], message: 'the graph has no output node (type outputNode)' });
  jdm.edges.forEach((edge, i) => {
    if (!ids.has(edge.sourceId))
      found.push({ path: ['edges', i, 'sourceId'], message: `no node with id "${edge.sourceId}"` });
    if (!ids.has(edge.targetId))
      found.push({ path: ['edges', i, 'targetId'], message: `no node with id "${edge.targetId}"` });
  });
  return found;
}

/**
 * Node kinds we evaluate. Function nodes (JavaScript) are refused like JavaScript anywhere in
 * our definition files; decision nodes (sub-decisions) and custom nodes need a loader or a
 * handler that Crossdock does not give zen.
 */
const SUPPORTED = new Set<string>([
  NodeType.input,
  NodeType.output,
  NodeType.table,
  NodeType.expression,
  NodeType.switch,
]);

function checkNode(type: string, content: unknown, at: Path): Found[] {
  if (!SUPPORTED.has(type)) {
    const why =
      type === NodeType.function
        ? 'function nodes run JavaScript, which policies may not contain; use an expression node or a table'
        : `use ${[...SUPPORTED].join(', ')}`;
    return [{ path: [...at, 'type'], message: `node type "${type}" is not supported: ${why}` }];
  }
  if (type === NodeType.table) return checkTable(content, [...at, 'content']);
  if (type === NodeType.expression) return checkExpressions(content, [...at, 'content']);
  return [];
}

/** An expression node: `{ expressions: [{ id, key, value }] }`, each value compiled. */
function checkExpressions(content: unknown, at: Path): Found[] {
  const expressions = (content as { expressions?: unknown } | undefined)?.expressions;
  if (!Array.isArray(expressions))
    return [
      { path: [...at, 'expressions'], message: 'an expression node needs a list of expressions' },
    ];
  return expressions.flatMap((e: { key?: unknown; value?: unknown }, i) => {
    if (typeof e?.key !== 'string' || typeof e.value !== 'string')
      return [
        {
          path: [...at, 'expressions', i],
          message: 'an expression needs a key and a value (text)',
        },
      ];
    const error = cellSyntaxError(e.value, 'expression');
    return error
      ? [
          {
            path: [...at, 'expressions', i, 'value'],
            column: e.key,
            message: `expression "${e.key}": ${JSON.stringify(e.value)} does not parse: ${error}`,
          },
        ]
      : [];
  });
}

/** A decision table's columns and rule rows; cells are compiled with zen's own parser. */
function checkTable(content: unknown, at: Path): Found[] {
  const parsed = TableContent.safeParse(content);
  if (!parsed.success)
    return parsed.error.issues.map((i) => ({
      path: [...at, ...(i.path as Path)],
      message: i.message,
    }));
  const table = parsed.data;
  const found: Found[] = [];
  const columns = new Map<
    string,
    { name: string; kind: 'unary' | 'expression'; role: 'input' | 'output' }
  >();
  const addColumn = (
    id: string,
    name: string,
    path: Path,
    column: { kind: 'unary' | 'expression'; role: 'input' | 'output' },
  ) => {
    if (columns.has(id) || RULE_META.has(id))
      found.push({ path, message: `column id "${id}" is used twice (or is reserved)` });
    columns.set(id, { name, ...column });
  };
  table.inputs.forEach((c, i) =>
    addColumn(c.id, c.field ?? c.name, [...at, 'inputs', i, 'id'], {
      kind: c.field ? 'unary' : 'expression',
      role: 'input',
    }),
  );
  table.outputs.forEach((c, i) =>
    addColumn(c.id, c.field, [...at, 'outputs', i, 'id'], { kind: 'expression', role: 'output' }),
  );
  const ruleIds = new Map<string, number>();
  table.rules.forEach((rule, r) => {
    const row = r + 1;
    const ruleId = rule._id;
    if (!ruleId) found.push({ path: [...at, 'rules', r], row, message: `rule ${row} has no _id` });
    else if (ruleIds.has(ruleId))
      found.push({
        path: [...at, 'rules', r, '_id'],
        row,
        message: `rule ${row}: _id "${ruleId}" is also used by rule ${ruleIds.get(ruleId)}`,
      });
    if (ruleId) ruleIds.set(ruleId, row);
    for (const [key, cell] of Object.entries(rule)) {
      if (RULE_META.has(key)) continue;
      const column = columns.get(key);
      if (!column) {
        found.push({
          path: [...at, 'rules', r, key],
          row,
          message: `rule ${row}: "${key}" is not a column of this table`,
        });
        continue;
      }
      const error = cellSyntaxError(cell, column.kind);
      if (error) {
        found.push({
          path: [...at, 'rules', r, key],
          row,
          column: column.name,
          message: `rule ${row}, ${column.role} "${column.name}": ${JSON.stringify(cell)} does not parse: ${error}`,
        });
      }
    }
  });
  return found;
}

/** What zen itself says about the graph (a cycle, say), once our own checks pass. */
function zenGraphProblem(jdm: JdmContent): string | null {
  try {
    new ZenEngine().createDecision(jdm).validate(); // an engine of its own: the check shares nothing
    return null;
  } catch (error) {
    return `zen-engine refuses the graph: ${zenErrorOf(error).message}`;
  }
}

/** The line of the deepest node on `path` that exists (JSON is YAML, so yaml's ranges serve). */
function lineOf(
  { doc, lines: counter }: { doc: Document; lines: LineCounter },
  path: Path,
): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return null;
}

/** Node's JSON.parse names a position ("at position 42" or "(line 3 column 5)"). */
function syntaxLine(text: string, error: Error): number | null {
  const line = /line (\d+)/.exec(error.message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(error.message);
  return position ? text.slice(0, Number(position[1])).split('\n').length : null;
}
