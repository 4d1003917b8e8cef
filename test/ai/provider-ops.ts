/**
 * The operations pack on a test store with the OpenAI-compatible simulator as its triage
 * provider (one attempt per call), for the tests of what the provider's answers do at the gate.
 */
import type { ManualClock } from '../../src/engine/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { startOps, type OpsInstance } from '../operations/support.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

export const KEY = 'sk-sim-0123456789abcdefghijklmnop';

/** The provider's sure triage of a refused delivery: customer service, high severity. */
export const REFUSED_DELIVERY: AiSimulator['rules'][number] = {
  match: /Customer refused the delivery/,
  answer: {
    category: 'address_problem',
    team: 'customer_service',
    action: 'Call the customer to agree a new delivery.',
    confidence: 0.93,
    reason: 'A refused delivery is settled with the customer.',
    severity: 'high',
    summary: 'The customer refused the delivery; agree a new one.',
  },
};

export interface ProviderOps {
  t: TestStore<Reachable>;
  sim: AiSimulator;
  ops: OpsInstance;
  close(): Promise<void>;
}

/** `env`: more of Crossdock's configuration (prices, budgets); `rules`: the simulator's answers. */
export async function startProviderOps(
  clock: ManualClock,
  env: Record<string, string>,
  workflows: string[],
  rules: AiSimulator['rules'] = [],
): Promise<ProviderOps> {
  const [sim, t] = await Promise.all([
    startAiSimulator({ apiKey: KEY }),
    openTestStore({ onDisk: true }),
  ]);
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  sim.rules.push(...rules);
  const ops = await startOps(
    t,
    clock,
    {
      CROSSDOCK_AI_URL: sim.url,
      CROSSDOCK_AI_MODEL: 'sim-triage-1',
      CROSSDOCK_AI_API_KEY: KEY,
      CROSSDOCK_AI_MAX_ATTEMPTS: '1',
      ...env,
    },
    workflows,
  );
  return {
    t,
    sim,
    ops,
    async close() {
      await ops.close();
      await sim.close();
      await t.dispose().catch(() => undefined);
    },
  };
}
