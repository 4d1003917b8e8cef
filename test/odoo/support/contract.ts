/**
 * What every fixture contract does the same way: check that a replay plan accounts for each
 * recorded exchange (replayed, or listed with a reason in COVERAGE.md), and replay a plan on
 * a simulator, comparing each answer and each outgoing webhook with the recording.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Fixture } from './fixtures.ts';
import { loadFixture } from './fixtures.ts';
import type { PlanStep } from './replay-plan.ts';
import {
  compareExchange,
  compareOutgoing,
  mapBackOf,
  replayRequest,
  type ReplayContext,
} from './replay.ts';
import type { WebhookListener } from './webhook-listener.ts';

const COVERAGE_FILE = resolve(import.meta.dirname, '../../../sim/odoo/COVERAGE.md');

export interface ReplayResult {
  name: string;
  differences: string[];
}

/**
 * Every recorded exchange is replayed once or listed as not replayed, and COVERAGE.md says
 * why, as it explains every relaxed comparison rule.
 */
export function assertPlanAccountsFor(
  all: readonly string[],
  plan: readonly PlanStep[],
  notReplayed: Readonly<Record<string, string>>,
): void {
  const planned = plan.flatMap((step) => (step.kind === 'setup' ? [] : [step.name]));
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
    planned.filter((name) => name in notReplayed),
    [],
    'a fixture is both replayed and listed as not replayed',
  );
  assert.deepEqual(
    all.filter((name) => !planned.includes(name) && !(name in notReplayed)),
    [],
    'fixtures neither replayed nor listed',
  );
  const coverage = readFileSync(COVERAGE_FILE, 'utf8');
  for (const name of Object.keys(notReplayed))
    assert.ok(coverage.includes(name), `COVERAGE.md does not list ${name}`);
  for (const step of plan) {
    if (step.kind === 'setup' || step.rule === undefined) continue;
    if (step.rule.volatile !== undefined)
      assert.ok((step.rule.why ?? '') !== '', `${step.name}: volatile values need a reason`);
    assert.ok(
      coverage.includes(step.name),
      `COVERAGE.md does not explain the comparison rule of ${step.name}`,
    );
  }
}

/**
 * Replays a plan in order: setup steps run, fixtures are sent and their answers compared,
 * outgoing webhooks are taken from the listener and compared. `translate` adapts a recorded
 * request before it is sent (the Odoo 19 contract renames ids).
 */
export async function replayPlan(
  plan: readonly PlanStep[],
  ctx: ReplayContext,
  listener: WebhookListener,
  translate: (fixture: Fixture) => Fixture = (fixture) => fixture,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const step of plan) {
    if (step.kind === 'setup') {
      await step.run(ctx);
      continue;
    }
    const fixture = loadFixture(step.name);
    let differences: string[];
    if (step.kind === 'outgoing') {
      const received = listener.take(fixture.request.path);
      differences = compareOutgoing(fixture, received, step.rule, mapBackOf(ctx));
    } else {
      const actual = await replayRequest(ctx, translate(fixture));
      await step.after?.(ctx, actual);
      differences = compareExchange(fixture, actual, step.rule, mapBackOf(ctx));
    }
    results.push({ name: step.name, differences });
  }
  return results;
}

/** The failures, one block per fixture, for an assertion message. */
export function mismatches(results: readonly ReplayResult[]): string[] {
  return results
    .filter((result) => result.differences.length > 0)
    .map((result) => `${result.name}:\n    ${result.differences.join('\n    ')}`);
}
