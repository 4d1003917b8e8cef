/**
 * Contract between the Odoo simulator and the customer-invoicing (`o2c-*`) and returns
 * (`ret-*`) exchanges of the second Odoo 17 recording (test/fixtures/odoo17, database
 * `odoo17fx`). Same machinery and comparison rules as fixtures-contract.test.ts, on a
 * simulator of its own named as the lab's database; what differs is said in
 * support/replay-plan-o2c-ret.ts and sim/odoo/COVERAGE.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { loadFixtures } from './support/fixtures.ts';
import { assertPlanAccountsFor, mismatches, replayPlan } from './support/contract.ts';
import { createReplayContext } from './support/replay.ts';
import {
  NOT_REPLAYED_O2C_RET,
  O2C_RET_FIXTURE,
  REPLAY_PLAN_O2C_RET,
} from './support/replay-plan-o2c-ret.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-12-04T22:38:45Z');
const ownFixtures = () => loadFixtures().filter((fixture) => O2C_RET_FIXTURE.test(fixture.name));

test('every invoicing and returns fixture is either replayed or listed with a reason', () => {
  const all = ownFixtures().map((fixture) => fixture.name);
  assert.equal(
    all.length,
    40,
    'the recording has 17 o2c-, 20 ret- (besides the vendor return ret-20..29) and 3 webhook-out-o2c/ret exchanges',
  );
  assertPlanAccountsFor(all, REPLAY_PLAN_O2C_RET, NOT_REPLAYED_O2C_RET);
});

test('the simulator answers every replayed invoicing and returns fixture as the recorded server did', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    database: 'odoo17fx',
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener, 'http://127.0.0.1:3120');
  let results;
  try {
    results = await replayPlan(REPLAY_PLAN_O2C_RET, ctx, listener);
  } finally {
    await sim.close();
    await listener.close();
  }
  const matching = results.filter((result) => result.differences.length === 0);
  const relaxed = REPLAY_PLAN_O2C_RET.filter(
    (step) => step.kind !== 'setup' && step.rule !== undefined,
  ).length;
  t.diagnostic(
    `invoicing and returns fixtures: ${ownFixtures().length}; replayed: ${results.length}; matching the recorded shape and values: ${matching.length} (${relaxed} with a declared relaxation)`,
  );
  t.diagnostic(
    `not replayed: ${Object.keys(NOT_REPLAYED_O2C_RET).length}${Object.entries(NOT_REPLAYED_O2C_RET)
      .map(([name, why]) => `\n  ${name}: ${why}`)
      .join('')}`,
  );
  const failures = mismatches(results);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
