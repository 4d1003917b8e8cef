/**
 * What bounding an expression costs per evaluation (docs/decisions/0029). The expressions
 * of bench/run.ts's workflow, evaluated against a small scope and against a large one (an
 * order of 50 lines and a 200-record search result in `steps`), four ways:
 *   plain      as before this change: JSONata with no limits, the result copied through JSON
 *   guarded    Crossdock's evaluateExpression: JSONata's time/depth/list guardrails + the
 *              per-step size check, in this thread (what every expression without a regex uses)
 *   isolated   the same evaluation in the worker thread (what a regex expression uses),
 *              one at a time, the scope copied to the thread on every call
 * Usage: npm run bench:expressions     (BENCH_EVALS=20000 to change the count)
 */
import { cpus, loadavg } from 'node:os';
import jsonata from 'jsonata';
import { DEFAULT_EXPRESSION_LIMITS, evaluateExpression } from '../src/workflows/index.ts';
import { expressionIsolate } from '../src/workflows/expression-isolate.ts';

const EXPRESSIONS = [
  'input.qty * input.price',
  'input.n',
  'steps.score.output.body.score > 5',
  'steps.price.output.order',
  'steps.price.output.total',
];
const EVALS = Number(process.env.BENCH_EVALS ?? 20_000);

function scope(large: boolean): Record<string, unknown> {
  const lines = Array.from({ length: large ? 50 : 1 }, (_, i) => ({
    product_id: [i + 1, `Product ${i}`],
    product_uom_qty: 3,
    price_unit: 12.5,
    name: `Line ${i} with a description`,
  }));
  const records = Array.from({ length: large ? 200 : 0 }, (_, i) => ({
    id: i,
    name: `WH/OUT/${i}`,
    state: 'assigned',
    partner_id: [7, 'Customer'],
    scheduled_date: '2026-12-01 10:00:00',
  }));
  return {
    event: {
      id: '1',
      source: 'bench',
      type: 'order.placed',
      key: 'k',
      payload: { n: 1, qty: 2, price: 3, lines },
      receivedAt: new Date().toISOString(),
    },
    input: { n: 1, qty: 2, price: 3, lines },
    steps: {
      price: { output: { order: 1, total: 6 }, error: null },
      score: { output: { status: 200, body: { score: 7 } }, error: null },
      pickings: { output: { records, count: records.length }, error: null },
    },
    run: { id: '1', workflowId: 'bench', version: 'abc' },
    vars: { apiUrl: 'http://127.0.0.1:3000' },
  };
}

async function timePerEval(evaluate: (source: string) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 500; i++) await evaluate(EXPRESSIONS[i % EXPRESSIONS.length]!);
  const started = performance.now();
  for (let i = 0; i < EVALS; i++) await evaluate(EXPRESSIONS[i % EXPRESSIONS.length]!);
  return ((performance.now() - started) * 1000) / EVALS;
}

const plainCache = new Map<string, ReturnType<typeof jsonata>>();
const plain = (source: string, context: unknown) => {
  let compiled = plainCache.get(source);
  if (!compiled) plainCache.set(source, (compiled = jsonata(source)));
  return compiled
    .evaluate(context)
    .then((value) =>
      value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value,
    );
};

console.log(
  `${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${EVALS} evaluations each`,
);
console.log('| scope | plain µs | guarded µs | isolated µs | guarded / plain | isolated / plain |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
// The first round warms the JIT up and is not printed.
for (const [round, large] of [
  [0, false],
  [0, true],
  [1, false],
  [1, true],
] as const) {
  const context = scope(large);
  const p = await timePerEval((s) => plain(s, context));
  const g = await timePerEval((s) => evaluateExpression(s, context));
  const i = await timePerEval((s) =>
    expressionIsolate.evaluate(s, context, DEFAULT_EXPRESSION_LIMITS),
  );
  if (round === 0) continue;
  console.log(
    `| ${large ? 'large (50 lines, 200 records)' : 'small'} | ${p.toFixed(1)} | ${g.toFixed(1)} | ${i.toFixed(1)} | ${(g / p).toFixed(2)} | ${(i / p).toFixed(1)} |`,
  );
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
process.exit(0);
