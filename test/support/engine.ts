import { Engine, engineStepTypes, ManualClock, StepRegistry, type EngineOptions, type RunDetail } from '../../src/engine/index.ts';
import { httpRequestStep } from '../../src/connectors/http/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import type { Store } from '../../src/store/index.ts';

export function testSteps(): StepRegistry {
  return new StepRegistry([...engineStepTypes(), httpRequestStep]);
}

/** An engine over a test store with the given workflow texts installed. */
export async function engineWith(store: Store, workflows: string[], options: Partial<EngineOptions> = {}): Promise<Engine> {
  const steps = options.steps ?? testSteps();
  const engine = new Engine({ store, steps, worker: { pollIntervalMs: 50, leaseMs: 5_000 }, ...options });
  const loaded = workflows.flatMap((text, i) => {
    const result = parseWorkflow(text, `test-${i}.yaml`, steps);
    if (!result.ok) throw new Error(`test workflow ${i} is invalid: ${JSON.stringify(result.problems)}`);
    return result.workflows;
  });
  await engine.installWorkflows(loaded);
  return engine;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Resolves with the run once it reaches one of `statuses` (default: any end). Driven by the
 * engine's own events, with a store check on each, so no sleeping; rejects after timeoutMs.
 */
export async function waitForRun(engine: Engine, runId: string, statuses: string[] = [...ENDED], timeoutMs = 15_000): Promise<RunDetail> {
  const check = async () => {
    const run = await engine.runs.show(runId);
    return statuses.includes(run.status) ? run : undefined;
  };
  const now = await check();
  if (now) return now;
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (error: Error | null, run?: RunDetail) => {
      offs.forEach((off) => off());
      clearTimeout(timer);
      error ? reject(error) : resolve(run!);
    };
    const timer = setTimeout(async () => {
      const last = await engine.runs.show(runId).catch(() => undefined);
      finish(new Error(`run ${runId} did not reach ${statuses.join('/')} in ${timeoutMs} ms (it is ${last?.status}, at ${last?.cursor})`));
    }, timeoutMs);
    const onChange = (payload: { runId: string }) => {
      if (payload.runId !== runId) return;
      check().then((run) => run && finish(null, run), (error) => finish(error));
    };
    for (const name of ['run:completed', 'run:failed', 'run:waiting', 'run:cancelled', 'step:failed', 'step:completed'] as const) {
      offs.push(engine.events.on(name, onChange));
    }
  });
}

export { ManualClock };
