import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/index.ts';
import type { ManualClock } from '../../src/engine/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { loadWorkflowDir, parseWorkflow } from '../../src/workflows/index.ts';
import { waitForRun } from '../support/engine.ts';
import type { Reachable, TestStore } from '../support/stores.ts';

/** The shipped pack, loaded as `crossdock demo` and `start` load it. */
export const PACK_DIR = new URL('../../packs/operations/workflows', import.meta.url).pathname;

export interface OpsInstance {
  crossdock: Crossdock;
  close(): Promise<void>;
}

/**
 * A whole Crossdock (createCrossdock, so the operations steps get the services and alert
 * channels main.ts gives them) over the test store, with the operations pack and `extra`
 * workflows installed and a worker running. Its own scheduler timer is stopped: the tests
 * fire slots with `scheduler.tick()` after moving the clock, so nothing depends on timing.
 */
export async function startOps(
  t: TestStore<Reachable>,
  clock: ManualClock,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<OpsInstance> {
  const store: Record<string, string> =
    t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir };
  const stateDir =
    t.connection.kind === 'pglite'
      ? dirname(t.connection.dataDir)
      : mkdtempSync(join(tmpdir(), 'crossdock-ops-'));
  const config = loadConfig({
    ...store,
    CROSSDOCK_STATE_DIR: stateDir,
    CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    CROSSDOCK_POLL_INTERVAL_MS: '50',
    CROSSDOCK_NOTIFY_POLL_INTERVAL_MS: '600000', // deliveries come from wake-ups, not the poll
    LOG_LEVEL: 'silent',
    ...env,
  });
  const crossdock = await createCrossdock(config, {
    clock,
    logger: silentLogger(),
    migrate: false,
  });
  const pack = loadWorkflowDir(PACK_DIR, crossdock.engine.steps);
  if (!pack.ok) throw new Error(`the operations pack is invalid: ${JSON.stringify(pack.problems)}`);
  const extras = extra.flatMap((text, i) => {
    const loaded = parseWorkflow(text, `extra-${i}.yaml`, crossdock.engine.steps);
    if (!loaded.ok)
      throw new Error(`extra workflow ${i} is invalid: ${JSON.stringify(loaded.problems)}`);
    return loaded.workflows;
  });
  await crossdock.engine.installWorkflows([...pack.workflows, ...extras]); // one install: it replaces the catalog
  crossdock.engine.startWorkers(1);
  crossdock.engine.scheduler.stop();
  return {
    crossdock,
    async close() {
      await crossdock.close();
      if (t.connection.kind === 'postgres') rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Fires the slot that is due now on this instance and resolves with its finished run (found by slot: another scheduler may have fired it). */
export async function fireSlot(ops: OpsInstance, workflowId: string, slot: string) {
  await ops.crossdock.engine.scheduler.tick();
  const row = (
    await sql<{
      id: string;
    }>`SELECT id::text AS id FROM runs WHERE workflow_id = ${workflowId} AND input->>'slot' = ${slot}`.execute(
      ops.crossdock.store.db,
    )
  ).rows[0];
  if (!row) throw new Error(`no ${workflowId} run for slot ${slot}`);
  const run = await waitForRun(ops.crossdock.engine, row.id);
  if (run.status !== 'completed')
    throw new Error(`${workflowId} run ${row.id} is ${run.status}: ${JSON.stringify(run.error)}`);
  return run;
}

/** The steps a run completed, in order. */
export function stepsOf(run: { steps: { stepId: string; status: string }[] }): string[] {
  return run.steps.filter((s) => s.status === 'completed').map((s) => s.stepId);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
