/**
 * Contract between the Odoo simulator and the 209 exchanges recorded on a real Odoo 17
 * (test/fixtures/odoo17). Every fixture is replayed, in the lab's order, on one
 * freshly seeded simulator, and the answer must have the recorded SHAPE (envelope, HTTP
 * status and content type, error class, code and message, XML-RPC fault codes and wire
 * types, value encodings: many2one pairs, false for empty, wizard dicts; the headers and
 * payload of outgoing webhooks) and the recorded VALUES, except timestamps (compared as
 * formats), elided traceback frames, and the few paths a plan step declares volatile with
 * its reason. Rules: test/odoo/support/shape.ts and values-compare.ts; sim/odoo/COVERAGE.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { isSecondBatch, loadFixtures } from './support/fixtures.ts';
import { assertPlanAccountsFor, mismatches, replayPlan } from './support/contract.ts';
import { createReplayContext } from './support/replay.ts';
import { NOT_REPLAYED, REPLAY_PLAN } from './support/replay-plan-automation.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-11-22T04:24:00Z');

/** The first recording (database "odoo17"); the second one has its own contract (fixtures-contract-p2p.test.ts). */
function firstBatch() {
  return loadFixtures().filter((fixture) => !isSecondBatch(fixture.name));
}

test('every fixture is either replayed or listed with a reason', () => {
  const all = firstBatch().map((fixture) => fixture.name);
  assert.equal(all.length, 209, 'the recorded fixture set has 209 exchanges');
  assertPlanAccountsFor(all, REPLAY_PLAN, NOT_REPLAYED);
});

test('the simulator answers every replayed fixture with the recorded shape', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener);
  let results;
  try {
    results = await replayPlan(REPLAY_PLAN, ctx, listener);
  } finally {
    await sim.close();
    await listener.close();
  }
  const matching = results.filter((result) => result.differences.length === 0);
  const relaxed = REPLAY_PLAN.filter(
    (step) => step.kind !== 'setup' && step.rule !== undefined,
  ).length;
  t.diagnostic(
    `fixtures: ${firstBatch().length}; replayed: ${results.length}; matching the recorded shape and values: ${matching.length} (${relaxed} with a declared relaxation)`,
  );
  t.diagnostic(
    `not replayed: ${Object.keys(NOT_REPLAYED).length}${Object.entries(NOT_REPLAYED)
      .map(([name, why]) => `\n  ${name}: ${why}`)
      .join('')}`,
  );
  const failures = mismatches(results);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
