/**
 * Contract between the Odoo simulator and the customer-invoicing (`o2c-*`) and returns
 * (`ret-*`) exchanges of the second Odoo 17 recording (test/fixtures/odoo17, database
 * `odoo17fx`). Same machinery and comparison rules as fixtures-contract.test.ts, on a
 * simulator of its own named as the lab's database; what differs is said in
 * support/replay-plan-o2c-ret.ts and sim/odoo/COVERAGE.md.
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
  NOT_REPLAYED_O2C_RET,
  O2C_RET_FIXTURE,
  REPLAY_PLAN_O2C_RET,
} from './support/replay-plan-o2c-ret.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-12-04T22:38:45Z');
const COVERAGE_FILE = resolve(import.meta.dirname, '../../sim/odoo/COVERAGE.md');
const ownFixtures = () => loadFixtures().filter((fixture) => O2C_RET_FIXTURE.test(fixture.name));

test('every invoicing and returns fixture is either replayed or listed with a reason', () => {
  const all = ownFixtures().map((fixture) => fixture.name);
  assert.equal(
    all.length,
    50,
    'the recording has 17 o2c-, 30 ret- and 3 webhook-out-o2c/ret exchanges',
  );
  const planned = REPLAY_PLAN_O2C_RET.flatMap((step) => (step.kind === 'setup' ? [] : [step.name]));
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
    all.filter((name) => !planned.includes(name) && !(name in NOT_REPLAYED_O2C_RET)),
    [],
    'fixtures neither replayed nor listed',
  );
  const coverage = readFileSync(COVERAGE_FILE, 'utf8');
  for (const name of Object.keys(NOT_REPLAYED_O2C_RET))
    assert.ok(coverage.includes(name), `COVERAGE.md does not list ${name}`);
  for (const step of REPLAY_PLAN_O2C_RET) {
    if (step.kind === 'setup' || step.rule === undefined) continue;
    if (step.rule.volatile !== undefined)
      assert.ok((step.rule.why ?? '') !== '', `${step.name}: volatile values need a reason`);
    assert.ok(
      coverage.includes(step.name),
      `COVERAGE.md does not explain the comparison rule of ${step.name}`,
    );
  }
});

test('the simulator answers every replayed invoicing and returns fixture as the recorded server did', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    database: 'odoo17fx',
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx = createReplayContext(sim, listener, 'http://127.0.0.1:3120');
  const results: Array<{ name: string; differences: string[] }> = [];
  try {
    for (const step of REPLAY_PLAN_O2C_RET) {
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
  const failures = results
    .filter((result) => result.differences.length > 0)
    .map((result) => `${result.name}:\n    ${result.differences.join('\n    ')}`);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
