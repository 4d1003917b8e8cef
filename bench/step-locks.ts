/**
 * What a step's record key costs: N runs of a one-step workflow whose step declares a key
 * (`serializeOn`, a different record per run), then N runs of the same step without one, both
 * in the same process and store, one worker, after an uncounted warm-up batch; prints each
 * batch's time to completion and the ratio. The store is the one under test (PGlite, or CROSSDOCK_TEST_STORE=postgres).
 *
 *   node --import tsx bench/step-locks.ts 2000
 */
import { z } from 'zod';
import { engineStepTypes, StepRegistry, type Engine } from '../src/engine/index.ts';
import type { StepType } from '../src/workflows/index.ts';
import { engineWith } from '../test/support/engine.ts';
import { openTestStore } from '../test/support/stores.ts';

const runs = Number(process.argv[2] ?? 2000);

const step = (type: string, keyed: boolean): StepType<{ record: string }> => ({
  type,
  description: 'acts on a record',
  config: z.strictObject({ record: z.string() }),
  sideEffect: true,
  ...(keyed ? { serializeOn: (c: { record: string }) => `bench:${c.record}` } : {}),
  async execute(_ctx, config) {
    return { kind: 'done', output: { record: config.record } };
  },
});
const flow = (id: string, type: string) => `
id: ${id}
trigger: { event: ${id} }
steps:
  - id: act
    type: ${type}
    with: { record: "= input.record" }
`;

let batches = 0;

async function batch(engine: Engine, id: string): Promise<number> {
  const round = ++batches;
  let left = runs;
  const done = new Promise<void>((resolve) => {
    const off = engine.events.on('run:completed', ({ workflowId }) => {
      if (workflowId === id && --left === 0) {
        off();
        resolve();
      }
    });
  });
  const started = performance.now();
  for (let i = 0; i < runs; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, runs - i) }, (_, j) =>
        engine.accept({
          source: 'bench',
          type: id,
          key: `${round}-${i + j}`,
          payload: { record: `r-${i + j}` },
        }),
      ),
    );
  await done;
  return performance.now() - started;
}

const store = await openTestStore();
try {
  const engine = await engineWith(
    store.store,
    [flow('keyed', 'bench.keyed'), flow('plain', 'bench.plain')],
    {
      steps: new StepRegistry([
        ...engineStepTypes(),
        step('bench.keyed', true),
        step('bench.plain', false),
      ]),
    },
  );
  engine.startWorkers(1);
  await batch(engine, 'plain'); // warm-up, not counted
  const keyedMs = await batch(engine, 'keyed');
  const plainMs = await batch(engine, 'plain');
  await engine.stopWorkers();
  console.log(`store ${store.store.kind}, ${runs} runs each`);
  console.log(
    `keyed step: ${keyedMs.toFixed(0)} ms (${((runs / keyedMs) * 1000).toFixed(0)} runs/s)`,
  );
  console.log(
    `plain step: ${plainMs.toFixed(0)} ms (${((runs / plainMs) * 1000).toFixed(0)} runs/s)`,
  );
  console.log(`keyed / plain: ${(keyedMs / plainMs).toFixed(2)}`);
} finally {
  await store.dispose();
}
