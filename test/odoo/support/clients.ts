/** Test doubles for the client's injected dependencies, and profiles for a simulator. */
import type {
  HttpExchange,
  OdooProfileInput,
  OdooProtocol,
} from '../../../src/connectors/odoo/index.ts';
import { httpCall } from '../../../src/connectors/http/client.ts';
import type { OdooSimulator } from '../../../sim/odoo/index.ts';

export function profileFor(
  sim: OdooSimulator,
  protocol: OdooProtocol,
  overrides: Partial<OdooProfileInput> = {},
): OdooProfileInput {
  const admin = sim.users.find((user) => user.login === 'admin');
  if (admin === undefined) throw new Error('the simulator has no admin user');
  return {
    name: `sim-${protocol}`,
    url: sim.url,
    database: sim.database,
    login: 'admin',
    apiKey: admin.apiKeys[0] ?? '',
    protocol,
    timeoutMs: 5_000,
    maxConcurrency: 4,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    ...overrides,
  };
}

/** A sleep that returns at once and remembers what it was asked; `onSleep` may change the world. */
export function recordingSleep(onSleep?: (delayMs: number, count: number) => void | Promise<void>) {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (delayMs: number) => {
      delays.push(delayMs);
      await onSleep?.(delayMs, delays.length);
    },
  };
}

/** Wraps the HTTP client to record request bodies and the largest number of requests in flight. */
export function observingHttp() {
  const bodies: string[] = [];
  let inFlight = 0;
  const state = { bodies, maxInFlight: 0 };
  const http: HttpExchange = async (call) => {
    bodies.push(call.body ?? '');
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      return await httpCall(call);
    } finally {
      inFlight -= 1;
    }
  };
  return { http, state };
}

/** A fixed sequence of "random" numbers, repeated. */
export function fixedRandom(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
}
