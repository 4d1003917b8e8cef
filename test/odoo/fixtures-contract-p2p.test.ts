/**
 * Contract between the Odoo simulator and the procurement and inventory exchanges of the
 * second Odoo 17 recording (test/fixtures/odoo17, database "odoo17fx", recorded on
 * 2026-12-04): fields_get (fg-*), procure-to-pay (p2p-*), inventory (inv-*) and their
 * outgoing webhooks, and the return to the vendor of the purchase order those exchanges
 * receive and bill (ret-20..29). Same machinery and comparison rules as fixtures-contract.test.ts;
 * the lab's webhook listener was 127.0.0.1:3120, and JSON-RPC ids count across the
 * whole run (the simulator echoes each request's id, so they compare as recorded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { loadFixtures } from './support/fixtures.ts';
import { assertPlanAccountsFor, mismatches, replayPlan } from './support/contract.ts';
import { createReplayContext } from './support/replay.ts';
import {
  isProcurementFixture,
  NOT_REPLAYED_P2P,
  REPLAY_PLAN_P2P,
} from './support/replay-plan-p2p.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-12-04T22:38:40Z');

function owned(): string[] {
  return loadFixtures()
    .map((fixture) => fixture.name)
    .filter(isProcurementFixture);
}

test('every procurement and inventory fixture is either replayed or listed with a reason', () => {
  const all = owned();
  assert.equal(
    all.length,
    107,
    'the recording has 15 fg-, 62 p2p-, 16 inv-, 4 webhook-out-p2p- and 10 vendor return (ret-20..29) exchanges',
  );
  assertPlanAccountsFor(all, REPLAY_PLAN_P2P, NOT_REPLAYED_P2P);
});

test('the simulator answers every replayed procurement and inventory fixture as recorded', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    database: 'odoo17fx',
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener, 'http://127.0.0.1:3120');
  let results;
  try {
    results = await replayPlan(REPLAY_PLAN_P2P, ctx, listener);
  } finally {
    await sim.close();
    await listener.close();
  }
  const matching = results.filter((result) => result.differences.length === 0);
  t.diagnostic(
    `procurement and inventory fixtures: ${owned().length}; replayed: ${results.length}; matching the recorded shape and values: ${matching.length}`,
  );
  t.diagnostic(
    `not replayed: ${Object.keys(NOT_REPLAYED_P2P).length}${Object.entries(NOT_REPLAYED_P2P)
      .map(([name, why]) => `\n  ${name}: ${why}`)
      .join('')}`,
  );
  const failures = mismatches(results);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
