/**
 * A whole Crossdock (createCrossdock) whose exception triage asks the OpenAI-compatible
 * simulator, on a test store (PGlite or the PostgreSQL server), with the incident workflow
 * installed: what the browser and command-line tests of reviews start from. Its
 * recommendations are made for real: a case raised, triaged through the provider, gated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { waitForRun } from '../support/engine.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';
import { CATEGORIES, INCIDENT, SIM_KEY, TEAMS } from './support.ts';

const WORKFLOW = `
id: incident-triage
trigger: { event: incident }
steps:
  - id: raise
    type: raise_exception
    with:
      title: "= input.title"
      code: "= input.code"
      owner: { team: operations }
      details: { order: "= input.order", note: "= input.note", contact_name: "= input.contact" }
  - id: triage
    type: ai.classify
    with:
      use: exception_triage
      case_id: "= steps.raise.output.caseId"
      threshold: 0.8
      categories: [${CATEGORIES.join(', ')}]
      teams: [${TEAMS.join(', ')}]
`;

export interface TriageInstance {
  sim: AiSimulator;
  t: TestStore<Reachable>;
  crossdock: Crossdock;
  /** The environment a `crossdock` command needs to open this store (once the instance is closed, on PGlite). */
  env: Record<string, string>;
  /** Raises an incident with this code and triages it: the recommendation's id and the case's. */
  incident(
    code: string,
    key: string,
  ): Promise<{ recommendationId: string; caseId: string; outcome: string }>;
  /** Serves the API (and the dashboard from `dashboardDir`) on a free port; closed by stop(). */
  listen(dashboardDir?: string): Promise<string>;
  /** Closes the API and the instance, keeps the store and the simulator. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** The simulator answers each incident code with this class, team and confidence. */
export function answer(
  code: string,
  category: string,
  team: string,
  confidence: number,
  reason: string,
) {
  return {
    match: new RegExp(`code: ${code}`),
    answer: { category, team, action: `Route to ${team}.`, confidence, reason },
  };
}

/** `extraEnv`: more configuration (prices, a spending limit) for the instance. */
export async function startTriageInstance(
  extraEnv: Record<string, string> = {},
): Promise<TriageInstance> {
  const [sim, t] = await Promise.all([
    startAiSimulator({ apiKey: SIM_KEY, models: ['sim-triage-1'] }),
    openTestStore({ onDisk: true }),
  ]);
  if (t.connection.kind === 'pglite') await t.store.close(); // the Crossdock opens the directory itself
  const state = mkdtempSync(join(tmpdir(), 'crossdock-ai-state-'));
  const env: Record<string, string> = {
    ...(t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir }),
    CROSSDOCK_STATE_DIR: state,
    CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  const crossdock = await createCrossdock(
    loadConfig({
      ...env,
      CROSSDOCK_AI_URL: sim.url,
      CROSSDOCK_AI_MODEL: 'sim-triage-1',
      CROSSDOCK_AI_API_KEY: SIM_KEY,
      LOG_LEVEL: 'silent',
      ...extraEnv,
    }),
    { logger: silentLogger(), migrate: false },
  );
  const parsed = parseWorkflow(WORKFLOW, 'incident-triage.yaml', crossdock.engine.steps);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await crossdock.engine.installWorkflows(parsed.workflows);
  crossdock.engine.startWorkers(1);
  let stopped = false;
  const servers: { close(): Promise<unknown> }[] = [];
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const server of servers) await server.close();
    await crossdock.close();
  };
  return {
    sim,
    t,
    crossdock,
    env,
    async incident(code, key) {
      const { runIds } = await crossdock.engine.accept({
        source: 'test',
        type: 'incident',
        key,
        payload: { ...INCIDENT, code, title: `${code} on ${INCIDENT.order}` },
      });
      const run = await waitForRun(crossdock.engine, runIds[0]!);
      if (run.status !== 'completed') throw new Error(`the triage run ${run.id} ${run.status}`);
      const output = run.steps.find((s) => s.stepId === 'triage')!.output as {
        recommendationId: string;
        outcome: string;
      };
      const raised = run.steps.find((s) => s.stepId === 'raise')!.output as { caseId: string };
      return { ...output, caseId: String(raised.caseId) };
    },
    async listen(dashboardDir) {
      const { api, url } = await crossdock.listen({
        port: 0,
        ...(dashboardDir ? { dashboardDir } : {}),
      });
      servers.push(api);
      return url;
    },
    stop,
    async close() {
      await stop();
      await sim.close();
      // On PGlite the instance closed the store it opened; the directory goes with the test.
      if (t.connection.kind === 'pglite')
        rmSync(dirname(t.connection.dataDir), { recursive: true, force: true });
      else await t.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
