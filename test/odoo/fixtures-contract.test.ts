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
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startOdooSimulator } from '../../sim/odoo/index.ts';
import { isSecondBatch, loadFixture, loadFixtures } from './support/fixtures.ts';
import {
  compareExchange,
  compareOutgoing,
  createReplayContext,
  mapBackOf,
  replayRequest,
} from './support/replay.ts';
import { NOT_REPLAYED, REPLAY_PLAN } from './support/replay-plan-automation.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-11-22T04:24:00Z');
const COVERAGE_FILE = resolve(import.meta.dirname, '../../sim/odoo/COVERAGE.md');

/** The first recording (database "odoo17"); the second one has its own contract (fixtures-contract-p2p.test.ts). */
function firstBatch() {
  return loadFixtures().filter((fixture) => !isSecondBatch(fixture.name));
}

function plannedNames(): string[] {
  return REPLAY_PLAN.flatMap((step) => (step.kind === 'setup' ? [] : [step.name]));
}

test('every fixture is either replayed or listed with a reason', () => {
  const all = firstBatch().map((fixture) => fixture.name);
  assert.equal(all.length, 209, 'the recorded fixture set has 209 exchanges');
  const planned = plannedNames();
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
  const unaccounted = all.filter((name) => !planned.includes(name) && !(name in NOT_REPLAYED));
  assert.deepEqual(unaccounted, [], 'fixtures neither replayed nor listed in NOT_REPLAYED');
  const coverage = readFileSync(COVERAGE_FILE, 'utf8');
  for (const name of Object.keys(NOT_REPLAYED))
    assert.ok(coverage.includes(name), `COVERAGE.md does not list ${name}`);
  for (const step of REPLAY_PLAN) {
    if (step.kind === 'setup' || step.rule === undefined) continue;
    if (step.rule.volatile !== undefined)
      assert.ok((step.rule.why ?? '') !== '', `${step.name}: volatile values need a reason`);
    assert.ok(
      coverage.includes(step.name),
      `COVERAGE.md does not explain the comparison rule of ${step.name}`,
    );
  }
});

test('the simulator answers every replayed fixture with the recorded shape', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener);
  const results: Array<{ name: string; differences: string[] }> = [];
  try {
    for (const step of REPLAY_PLAN) {
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
  const failures = results
    .filter((result) => result.differences.length > 0)
    .map((result) => `${result.name}:\n    ${result.differences.join('\n    ')}`);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
