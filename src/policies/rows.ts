import { NodeType, RULE_META, TableContent, type JdmContent } from './jdm.ts';

export interface TableView {
  nodeId: string;
  node: string;
  hitPolicy: string;
  /** `label` keys the row cells: the field (or name), or `field[id]` when two columns share a field. */
  columns: {
    id: string;
    kind: 'input' | 'output';
    name: string;
    field: string | null;
    label: string;
  }[];
  /** One per rule, in order: `rule` is 1-based, as validation errors and `matched` count them. */
  rows: {
    rule: number;
    id: string | null;
    description: string | null;
    cells: Record<string, string>;
  }[];
}

/** The decision tables of a policy as rows for display; cells are keyed by column label. */
export function tablesOf(content: JdmContent): TableView[] {
  return content.nodes.flatMap((node) => {
    if (node.type !== NodeType.table) return [];
    const parsed = TableContent.safeParse(node.content);
    if (!parsed.success) return [];
    const table = parsed.data;
    const columns = [
      ...table.inputs.map((c) => ({
        id: c.id,
        kind: 'input' as const,
        name: c.name,
        field: c.field ?? null,
      })),
      ...table.outputs.map((c) => ({
        id: c.id,
        kind: 'output' as const,
        name: c.name,
        field: c.field,
      })),
    ];
    // Two columns may test one field (a range as ">= 10" and "< 20"): those are told apart as zen's trace does, field[id].
    const uses = new Map<string, number>();
    for (const c of columns) uses.set(c.field ?? c.name, (uses.get(c.field ?? c.name) ?? 0) + 1);
    const label = new Map(
      columns.map((c) => [
        c.id,
        uses.get(c.field ?? c.name)! > 1 ? `${c.field ?? c.name}[${c.id}]` : (c.field ?? c.name),
      ]),
    );
    const labelled = columns.map((c) => ({ ...c, label: label.get(c.id)! }));
    const rows = table.rules.map((rule, i) => ({
      rule: i + 1,
      id: rule._id ?? null,
      description: rule._description ?? null,
      cells: Object.fromEntries(
        Object.entries(rule)
          .filter(([k]) => !RULE_META.has(k))
          .map(([k, v]) => [label.get(k) ?? k, v]),
      ),
    }));
    return [
      { nodeId: node.id, node: node.name, hitPolicy: table.hitPolicy, columns: labelled, rows },
    ];
  });
}
