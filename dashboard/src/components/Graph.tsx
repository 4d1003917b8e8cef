/**
 * The workflow's step graph as an SVG layered layout with the path a run took: left to right
 * when it fits a laptop screen, top to bottom when it has more layers than that (the order
 * release pack has 14), so step names stay readable instead of shrinking.
 */

export interface GraphNode {
  id: string;
  type: string;
  description: string | null;
  sideEffect: boolean;
  end: boolean;
}
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'branch' | 'error';
}
export interface WorkflowGraph {
  start: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const W = 150;
const H = 46;
const GAP_X = 60;
const GAP_Y = 26;
const PAD = 16;
/** More layers than this are laid out top to bottom. */
const MAX_ACROSS = 6;

interface Placed {
  node: GraphNode;
  x: number;
  y: number;
}

/**
 * Layers by longest path from the start over the graph without its back edges (found by a
 * depth-first walk), then orders each layer by the mean position of its predecessors.
 */
export function layout(graph: WorkflowGraph): {
  placed: Map<string, Placed>;
  back: Set<string>;
  width: number;
  height: number;
  vertical: boolean;
} {
  const ids = graph.nodes.map((n) => n.id);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of graph.edges) if (out.has(e.from) && out.has(e.to)) out.get(e.from)!.push(e.to);
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const order: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const to of out.get(id) ?? []) {
      if (state.get(to) === 'open') back.add(`${id}>${to}`);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of [graph.start, ...ids]) if (out.has(id) && !state.has(id)) visit(id);
  order.reverse();
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const id of order) {
    for (const to of out.get(id) ?? []) {
      if (!back.has(`${id}>${to}`)) layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1));
    }
  }
  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  layers.forEach((members, li) => {
    if (li > 0) {
      const preds = (id: string) =>
        graph.edges
          .filter((e) => e.to === id && row.has(e.from) && !back.has(`${e.from}>${e.to}`))
          .map((e) => row.get(e.from)!);
      const score = (id: string) => {
        const p = preds(id);
        return p.length ? p.reduce((a, b) => a + b, 0) / p.length : Number.MAX_SAFE_INTEGER;
      };
      members.sort((a, b) => score(a) - score(b));
    }
    members.forEach((id, i) => row.set(id, i));
  });
  const widest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const vertical = layers.length > MAX_ACROSS;
  // Along the flow: a layer per step of W + GAP_X (across) or H + GAP_Y (down); across it, the layer's members.
  const along = vertical ? H + GAP_Y + 14 : W + GAP_X;
  const side = vertical ? W + GAP_X / 2 : H + GAP_Y;
  const placed = new Map<string, Placed>();
  layers.forEach((members, li) => {
    const offset = ((widest - members.length) * side) / 2;
    members.forEach((id, i) => {
      const node = graph.nodes.find((n) => n.id === id)!;
      placed.set(
        id,
        vertical
          ? { node, x: PAD + offset + i * side, y: PAD + li * along }
          : { node, x: PAD + li * along, y: PAD + offset + i * side },
      );
    });
  });
  const flow = PAD * 2 + (layers.length - 1) * along + (vertical ? H : W);
  const breadth = PAD * 2 + (widest - 1) * side + (vertical ? W : H) + 30;
  const [width, height] = vertical ? [breadth, flow] : [flow, breadth];
  return { placed, back, width, height, vertical };
}

export function Graph({
  graph,
  stepStatus = {},
  taken = new Set<string>(),
  label,
}: {
  graph: WorkflowGraph;
  stepStatus?: Record<string, string>;
  taken?: Set<string>;
  label: string;
}) {
  const { placed, back, width, height, vertical } = layout(graph);
  const edgePath = (e: GraphEdge) => {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) return null;
    if (vertical) {
      if (back.has(`${e.from}>${e.to}`) || a.y >= b.y) {
        // Back edge: out to the right and around, beside both nodes.
        const x = Math.max(a.x, b.x) + W + 14;
        return `M ${a.x + W} ${a.y + H / 2} C ${x + 10} ${a.y + H / 2}, ${x + 10} ${b.y + H / 2}, ${b.x + W + 2} ${b.y + H / 2}`;
      }
      const y1 = a.y + H;
      const y2 = b.y - 2;
      const mid = (y1 + y2) / 2;
      return `M ${a.x + W / 2} ${y1} C ${a.x + W / 2} ${mid}, ${b.x + W / 2} ${mid}, ${b.x + W / 2} ${y2}`;
    }
    if (back.has(`${e.from}>${e.to}`) || a.x >= b.x) {
      // Back edge: down and around, below both nodes.
      const y = Math.max(a.y, b.y) + H + 14;
      return `M ${a.x + W / 2} ${a.y + H} C ${a.x + W / 2} ${y + 10}, ${b.x + W / 2} ${y + 10}, ${b.x + W / 2} ${b.y + H + 2}`;
    }
    const x1 = a.x + W;
    const y1 = a.y + H / 2;
    const x2 = b.x - 2;
    const y2 = b.y + H / 2;
    const mid = (x1 + x2) / 2;
    return `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
  };
  return (
    <figure className="graph">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={label}
      >
        <defs>
          {(['next', 'branch', 'error', 'taken'] as const).map((k) => (
            <marker
              key={k}
              id={`arrow-${k}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" className={`arrow arrow-${k}`} />
            </marker>
          ))}
        </defs>
        {graph.edges.map((e) => {
          const d = edgePath(e);
          const isTaken = taken.has(`${e.from}>${e.to}`);
          return d ? (
            <path
              key={`${e.from}>${e.to}:${e.kind}`}
              d={d}
              className={`edge edge-${e.kind}${isTaken ? ' edge-taken' : ''}`}
              markerEnd={`url(#arrow-${isTaken ? 'taken' : e.kind})`}
              data-edge={`${e.from}>${e.to}`}
            />
          ) : null;
        })}
        {[...placed.values()].map(({ node, x, y }) => {
          const status = stepStatus[node.id];
          return (
            <g
              key={node.id}
              transform={`translate(${x} ${y})`}
              className={`node${status ? ` node-${status}` : ''}${node.id === graph.start ? ' node-start' : ''}`}
              data-step={node.id}
              data-status={status ?? 'not-run'}
            >
              <title>{`${node.id} (${node.type})${node.description ? `: ${node.description}` : ''}${status ? ` — ${status}` : ''}`}</title>
              <rect width={W} height={H} rx="6" />
              <text x="10" y="19" className="node-id">
                {node.id.length > 20 ? `${node.id.slice(0, 19)}…` : node.id}
              </text>
              <text x="10" y="36" className="node-type">
                {node.type}
                {node.sideEffect ? ' · writes' : ''}
                {status ? ` · ${status}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="legend-item legend-next">next</span>
        <span className="legend-item legend-branch">branch</span>
        <span className="legend-item legend-error">on error</span>
        <span className="legend-item legend-taken">path taken</span>
      </figcaption>
    </figure>
  );
}

/** Step statuses and the edges a run took, from its step history (attempts in order). */
export function pathTaken(steps: { seq: number; stepId: string; status: string }[]): {
  stepStatus: Record<string, string>;
  taken: Set<string>;
} {
  const stepStatus: Record<string, string> = {};
  const bySeq = new Map<number, { stepId: string; status: string }>();
  for (const s of steps) bySeq.set(s.seq, s);
  const sequence = [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  for (const s of sequence) stepStatus[s.stepId] = s.status;
  const taken = new Set<string>();
  for (let i = 1; i < sequence.length; i++)
    if (sequence[i - 1]!.stepId !== sequence[i]!.stepId)
      taken.add(`${sequence[i - 1]!.stepId}>${sequence[i]!.stepId}`);
  return { stepStatus, taken };
}
