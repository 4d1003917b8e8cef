import {
  Engine,
  engineStepTypes,
  ManualClock,
  StepRegistry,
  type EngineEventMap,
  type EngineEventName,
  type EngineOptions,
  type RunDetail,
} from '../../src/engine/index.ts';
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import type { Store } from '../../src/store/index.ts';

export function testSteps(): StepRegistry {
  return new StepRegistry([...engineStepTypes(), httpRequestStep]);
}

/** An engine over a test store with the given workflow texts installed. */
export async function engineWith(
  store: Store,
  workflows: string[],
  options: Partial<EngineOptions> = {},
): Promise<Engine> {
  const steps = options.steps ?? testSteps();
  const engine = new Engine({
    store,
    steps,
    worker: { pollIntervalMs: 50, leaseMs: 5_000 },
    ...options,
  });
  const loaded = workflows.flatMap((text, i) => {
    const result = parseWorkflow(text, `test-${i}.yaml`, steps);
    if (!result.ok)
      throw new Error(`test workflow ${i} is invalid: ${JSON.stringify(result.problems)}`);
    return result.workflows;
  });
  await engine.installWorkflows(loaded);
  return engine;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Resolves with the run once it reaches one of `statuses` (default: any end). Driven by the
 * engine's own events, with a store check on each, and a store check every 250 ms besides: a
 * run that another process on the same store takes never raises this engine's events.
 * Rejects after timeoutMs.
 */
export async function waitForRun(
  engine: Engine,
  runId: string,
  statuses: string[] = [...ENDED],
  timeoutMs = 15_000,
): Promise<RunDetail> {
  return new Promise((resolve, reject) => {
    let done = false;
    const offs: (() => void)[] = [];
    const finish = (error: Error | null, run?: RunDetail) => {
      if (done) return;
      done = true;
      offs.forEach((off) => off());
      clearTimeout(timer);
      clearInterval(poll);
      error ? reject(error) : resolve(run!);
    };
    const check = () =>
      engine.runs.show(runId).then(
        (run) => statuses.includes(run.status) && finish(null, run),
        (error) => finish(error),
      );
    const timer = setTimeout(async () => {
      const last = await engine.runs.show(runId).catch(() => undefined);
      finish(
        new Error(
          `run ${runId} did not reach ${statuses.join('/')} in ${timeoutMs} ms (it is ${last?.status}, at ${last?.cursor})`,
        ),
      );
    }, timeoutMs);
    // Listen first, then look: a change between the two is not missed.
    const onChange = (payload: { runId: string }) => payload.runId === runId && void check();
    for (const name of [
      'run:started',
      'run:completed',
      'run:failed',
      'run:waiting',
      'run:cancelled',
      'step:failed',
      'step:completed',
    ] as const) {
      offs.push(engine.events.on(name, onChange));
    }
    const poll = setInterval(() => void check(), 250);
    void check();
  });
}

/** The next engine event of this name for this run. */
export function nextEvent<K extends EngineEventName>(
  engine: Engine,
  name: K,
  runId: string,
  timeoutMs = 15_000,
): Promise<EngineEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} for run ${runId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.events.on(name, (payload) => {
      if ((payload as { runId?: string }).runId !== runId) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

export { ManualClock };
