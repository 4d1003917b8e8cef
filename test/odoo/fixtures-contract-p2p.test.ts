/**
 * Contract between the Odoo simulator and the procurement and inventory exchanges of the
 * second Odoo 17 recording (test/fixtures/odoo17, database "odoo17fx", recorded on
 * 2026-12-04): fields_get (fg-*), procure-to-pay (p2p-*), inventory (inv-*) and their
 * outgoing webhooks. Same machinery and comparison rules as fixtures-contract.test.ts;
 * the lab's webhook listener was 127.0.0.1:3120, and JSON-RPC ids count across the
 * whole run (the simulator echoes each request's id, so they compare as recorded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { loadFixture, loadFixtures } from './support/fixtures.ts';
import {
  compareExchange,
  compareOutgoing,
  createReplayContext,
  mapBackOf,
  replayRequest,
} from './support/replay.ts';
import {
  isProcurementFixture,
  NOT_REPLAYED_P2P,
  REPLAY_PLAN_P2P,
} from './support/replay-plan-p2p.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-12-04T22:38:40Z');
const COVERAGE_FILE = resolve(import.meta.dirname, '../../sim/odoo/COVERAGE.md');

function owned(): string[] {
  return loadFixtures()
    .map((fixture) => fixture.name)
    .filter(isProcurementFixture);
}

test('every procurement and inventory fixture is either replayed or listed with a reason', () => {
  const all = owned();
  assert.equal(
    all.length,
    97,
    'the recording has 15 fg-, 62 p2p-, 16 inv- and 4 webhook-out-p2p- exchanges',
  );
  const planned = REPLAY_PLAN_P2P.flatMap((step) => (step.kind === 'setup' ? [] : [step.name]));
  assert.deepEqual(
    planned.filter((name, index) => planned.indexOf(name) !== index),
    [],
    'a fixture is replayed twice',
  );
  assert.deepEqual(
    planned.filter((name) => !all.includes(name)),
    [],
    'the plan names fixtures that do not exist',
  );
  assert.deepEqual(
    planned.filter((name) => name in NOT_REPLAYED_P2P),
    [],
    'a fixture is both replayed and listed as not replayed',
  );
  assert.deepEqual(
    all.filter((name) => !planned.includes(name) && !(name in NOT_REPLAYED_P2P)),
    [],
    'fixtures neither replayed nor listed',
  );
  const coverage = readFileSync(COVERAGE_FILE, 'utf8');
  for (const name of Object.keys(NOT_REPLAYED_P2P))
    assert.ok(coverage.includes(name), `COVERAGE.md does not list ${name}`);
});

test('the simulator answers every replayed procurement and inventory fixture as recorded', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    database: 'odoo17fx',
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener, 'http://127.0.0.1:3120');
  const results: Array<{ name: string; differences: string[] }> = [];
  try {
    for (const step of REPLAY_PLAN_P2P) {
      if (step.kind === 'setup') {
        await step.run(ctx);
        continue;
      }
      const fixture = loadFixture(step.name);
      let differences: string[];
      if (step.kind === 'outgoing') {
        differences = compareOutgoing(
          fixture,
          listener.take(fixture.request.path),
          step.rule,
          mapBackOf(ctx),
        );
      } else {
        const actual = await replayRequest(ctx, fixture);
        await step.after?.(ctx, actual);
        differences = compareExchange(fixture, actual, step.rule, mapBackOf(ctx));
      }
      results.push({ name: step.name, differences });
    }
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
  const failures = results
    .filter((result) => result.differences.length > 0)
    .map((result) => `${result.name}:\n    ${result.differences.join('\n    ')}`);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
