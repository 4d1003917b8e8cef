/**
 * A carrier simulator with the registry Crossdock would build from its configuration, and
 * an engine (ManualClock, real test store) whose registry holds the carrier steps. Runs
 * that back off are driven by moving the clock to each suspension's deadline and waking
 * the workers: no sleeping.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createCarrierRegistry,
  parseCarrierConfigs,
  ShipmentSchema,
  carrierStepTypes,
  type CarrierConfig,
  type CarrierRegistry,
  type Shipment,
  type ShipmentInput,
} from '../../src/connectors/carriers/index.ts';
import {
  engineStepTypes,
  ManualClock,
  StepRegistry,
  type Engine,
  type RunDetail,
} from '../../src/engine/index.ts';
import {
  startCarrierSimulator,
  type CarrierSimulator,
  type CarrierSimulatorOptions,
} from '../../sim/carriers/index.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

export const SHIPMENT: ShipmentInput = {
  reference: 'WH/OUT/00042',
  from: { name: 'Crossdock Demo GmbH', country: 'DE', postcode: '10115', city: 'Berlin' },
  to: { name: 'Ready Mat', country: 'DE', postcode: '80331', city: 'München', region: 'DE-BY' },
  parcels: [{ weight_kg: 12.5 }],
  declared_value: { amount: 240, currency: 'EUR' },
  hazardous: false,
};

/** A URL where nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(path = '/'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

export function shipment(overrides: Partial<ShipmentInput> = {}): Shipment {
  return ShipmentSchema.parse({ ...SHIPMENT, ...overrides });
}

export interface Carriers {
  sim: CarrierSimulator;
  configs: CarrierConfig[];
  registry: CarrierRegistry;
  close(): Promise<void>;
}

/** The simulator and a registry over it; `config` adjusts a carrier's configuration (e.g. a short timeout). */
export async function startCarriers(
  options: CarrierSimulatorOptions & { config?: Record<string, Record<string, unknown>> } = {},
): Promise<Carriers> {
  const sim = await startCarrierSimulator(options);
  const configs = parseCarrierConfigs(
    sim.profiles.map((p) => ({ ...sim.carrierConfig(p.code), ...options.config?.[p.code] })),
  );
  return { sim, configs, registry: createCarrierRegistry(configs), close: () => sim.close() };
}

type Stop = { kind: 'waiting'; until: Date | null } | { kind: 'ended' };

/** Each run's suspensions and ends, in order, recorded from the engine's events as they happen. */
class RunStops {
  readonly #queues = new Map<string, Stop[]>();
  readonly #waiters = new Map<string, (stop: Stop) => void>();

  constructor(engine: Engine) {
    engine.events.on('run:waiting', (p) =>
      this.#push(p.runId, { kind: 'waiting', until: p.until }),
    );
    engine.events.on('run:completed', (p) => this.#push(p.runId, { kind: 'ended' }));
    engine.events.on('run:failed', (p) => this.#push(p.runId, { kind: 'ended' }));
  }

  #push(runId: string, stop: Stop): void {
    const waiter = this.#waiters.get(runId);
    if (waiter) {
      this.#waiters.delete(runId);
      waiter(stop);
    } else this.#queues.set(runId, [...(this.#queues.get(runId) ?? []), stop]);
  }

  next(runId: string, timeoutMs = 15_000): Promise<Stop> {
    const queued = this.#queues.get(runId)?.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(runId);
        reject(new Error(`run ${runId} neither suspended nor ended within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(runId, (stop) => {
        clearTimeout(timer);
        resolve(stop);
      });
    });
  }
}

export interface EngineHarness extends Carriers {
  engine: Engine;
  clock: ManualClock;
  /** Accepts an event (its own key) and returns the run it started. */
  start(type: string, payload: Record<string, unknown>): Promise<string>;
  /**
   * Follows a run to its end: at each suspension, moves the clock to its deadline and wakes
   * the workers. Returns the run and how long each suspension was (ms on the test clock).
   */
  drive(runId: string, maxRounds?: number): Promise<{ run: RunDetail; waitsMs: number[] }>;
  replay(runId: string, fromStep: string): Promise<{ run: RunDetail; waitsMs: number[] }>;
}

export async function startEngineHarness(
  workflows: string[],
  options: Parameters<typeof startCarriers>[0] = {},
): Promise<EngineHarness> {
  const carriers = await startCarriers(options);
  let store: TestStore | undefined;
  try {
    store = await openTestStore();
    const clock = new ManualClock();
    const steps = new StepRegistry([...engineStepTypes(), ...carrierStepTypes(carriers.registry)]);
    // Every backoff draws the middle of its jitter: a 1 s delay with jitter 0.2 waits 900 ms.
    const engine = await engineWith(store.store, workflows, { steps, clock, random: () => 0.5 });
    const stops = new RunStops(engine);
    engine.startWorkers(1);
    let events = 0;
    const drive: EngineHarness['drive'] = async (runId, maxRounds = 20) => {
      const waitsMs: number[] = [];
      for (let round = 0; round < maxRounds; round += 1) {
        const stop = await stops.next(runId);
        if (stop.kind === 'ended') return { run: await engine.runs.show(runId), waitsMs };
        if (stop.until === null) throw new Error(`run ${runId} waits without a deadline`);
        const delay = stop.until.getTime() - clock.now().getTime();
        waitsMs.push(delay);
        clock.advance(Math.max(0, delay));
        engine.wake();
      }
      throw new Error(`run ${runId} did not end within ${maxRounds} suspensions`);
    };
    const testStore = store;
    return {
      ...carriers,
      engine,
      clock,
      drive,
      async start(type, payload) {
        events += 1;
        const accepted = await engine.accept({
          source: 'test',
          type,
          key: `event-${events}`,
          payload,
        });
        const runId = accepted.runIds[0];
        if (runId === undefined) throw new Error(`no workflow started for ${type}`);
        return runId;
      },
      async replay(runId, fromStep) {
        await engine.runs.replay(runId, { fromStep });
        return drive(runId);
      },
      async close() {
        await engine.stopWorkers();
        await carriers.close();
        await testStore.dispose();
      },
    };
  } catch (error) {
    await carriers.close();
    await store?.dispose();
    throw error;
  }
}
