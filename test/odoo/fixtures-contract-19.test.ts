/**
 * Contract between the Odoo simulator started as Odoo 19 and the 96 exchanges recorded on
 * a real Odoo 19 server (test/fixtures/odoo19): JSON-2 (statuses 400, 401, 403, 404, 415,
 * 422, 500, the HTML answers, bare values), the legacy /jsonrpc, and the automation
 * webhook sent after commit (none on rollback). Same machinery as the Odoo 17 contract
 * (fixtures-contract.test.ts); what differs is said in support/replay-plan-19.ts.
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
import { NOT_REPLAYED_19, REPLAY_PLAN_19 } from './support/replay-plan-19-automation.ts';
import { seedIdMap, translateRequest, type Replay19Context } from './support/replay-plan-19.ts';
import { startWebhookListener } from './support/webhook-listener.ts';

const LAB_START = Date.parse('2026-12-04T22:58:00Z');
const COVERAGE_FILE = resolve(import.meta.dirname, '../../sim/odoo/COVERAGE.md');

test('every Odoo 19 fixture is either replayed or listed with a reason', () => {
  const all = loadFixtures('odoo19').map((fixture) => fixture.name);
  assert.equal(all.length, 96, 'the recorded Odoo 19 set has 96 exchanges');
  const planned = REPLAY_PLAN_19.flatMap((step) => (step.kind === 'setup' ? [] : [step.name]));
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
    all.filter((name) => !planned.includes(name) && !(name in NOT_REPLAYED_19)),
    [],
    'fixtures neither replayed nor listed',
  );
  const coverage = readFileSync(COVERAGE_FILE, 'utf8');
  for (const name of Object.keys(NOT_REPLAYED_19))
    assert.ok(coverage.includes(name), `COVERAGE.md does not list ${name}`);
  for (const step of REPLAY_PLAN_19) {
    if (step.kind !== 'setup' && step.rule?.volatile !== undefined)
      assert.ok((step.rule.why ?? '') !== '', `${step.name}: volatile values need a reason`);
  }
});

test('the simulator as Odoo 19 answers every replayed fixture with the recorded shape', async (t) => {
  const startedAt = Date.now();
  const sim = await startOdooSimulator({
    version: 19,
    clock: () => new Date(LAB_START + (Date.now() - startedAt)),
  });
  const listener = await startWebhookListener();
  const ctx: Replay19Context = {
    ...createReplayContext(sim, listener, 'http://127.0.0.1:3130'),
    ids: seedIdMap(),
  };
  const results: Array<{ name: string; differences: string[] }> = [];
  try {
    for (const step of REPLAY_PLAN_19) {
      if (step.kind === 'setup') {
        await step.run(ctx);
        continue;
      }
      const fixture = loadFixture(step.name, 'odoo19');
      let differences: string[];
      if (step.kind === 'outgoing') {
        differences = compareOutgoing(
          fixture,
          listener.take(fixture.request.path),
          step.rule,
          mapBackOf(ctx),
        );
      } else {
        const actual = await replayRequest(ctx, translateRequest(fixture, ctx.ids));
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
  const relaxed = REPLAY_PLAN_19.filter(
    (step) => step.kind !== 'setup' && step.rule !== undefined,
  ).length;
  t.diagnostic(
    `Odoo 19 fixtures: ${loadFixtures('odoo19').length}; replayed: ${results.length}; matching the recorded shape and values: ${matching.length} (${relaxed} with a declared relaxation)`,
  );
  t.diagnostic(
    `not replayed: ${Object.keys(NOT_REPLAYED_19).length}${Object.entries(NOT_REPLAYED_19)
      .map(([name, why]) => `\n  ${name}: ${why}`)
      .join('')}`,
  );
  const failures = results
    .filter((result) => result.differences.length > 0)
    .map((result) => `${result.name}:\n    ${result.differences.join('\n    ')}`);
  assert.deepEqual(failures, [], `fixtures whose replay does not match:\n${failures.join('\n')}`);
});
