/**
 * `crossdock ai reviews | show | accept | override`, as an operator types them: through a
 * running instance's API (its token in CROSSDOCK_TOKEN), then on the free store; the decisions
 * go through the same reviews service as the API (recorded, audited, the case follows).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCrossdock } from '../support/cli.ts';
import { answer, startTriageInstance, type TriageInstance } from './triage-instance.ts';

describe('crossdock ai ...', () => {
  let x: TriageInstance;
  const ids: Record<string, { recommendationId: string; caseId: string; outcome: string }> = {};
  before(async () => {
    x = await startTriageInstance();
    x.sim.rules.push(
      answer('STOCK_SHORT', 'stock_shortage', 'purchasing', 0.95, 'Short on the shelf.'),
      answer('LATE_TRUCK', 'carrier_delay', 'logistics', 0.4, 'A late truck.'),
      answer('WRONG_DOOR', 'address_problem', 'customer_service', 0.5, 'The consignee moved.'),
      answer('CREDIT', 'credit_hold', 'finance', 0.3, 'Over the limit.'),
    );
    for (const code of ['STOCK_SHORT', 'LATE_TRUCK', 'WRONG_DOOR', 'CREDIT'])
      ids[code] = await x.incident(code, code);
  });
  after(async () => x?.close());

  test('through a running instance: the waiting reviews listed, one accepted with the operator token', async () => {
    const url = await x.listen();
    const { users, tokens } = x.crossdock.services;
    const operator = await users.create({
      email: 'operator@acme.test',
      role: 'operator',
      password: 'a long enough password',
    });
    const token = (
      await tokens.create({ id: operator.id, role: 'operator' }, { name: 'cli' }, null)
    ).token;
    const env = { ...x.env, CROSSDOCK_TOKEN: token };
    const list = await runCrossdock(['ai', 'reviews', '--api', url], env);
    assert.equal(list.status, 0, list.stderr);
    for (const code of ['LATE_TRUCK', 'WRONG_DOOR', 'CREDIT'])
      assert.match(
        list.stdout,
        new RegExp(`^${ids[code]!.recommendationId} +exception_triage`, 'm'),
      );
    assert.doesNotMatch(list.stdout, new RegExp(`^${ids.STOCK_SHORT!.recommendationId} `, 'm'));
    assert.match(list.stdout, /carrier_delay -> logistics +40 % < 80 %/);

    const accepted = await runCrossdock(
      [
        'ai',
        'accept',
        ids.CREDIT!.recommendationId,
        '--reason',
        'over the limit indeed',
        '--api',
        url,
      ],
      env,
    );
    assert.equal(accepted.status, 0, accepted.stderr);
    assert.match(
      accepted.stdout,
      new RegExp(
        `recommendation ${ids.CREDIT!.recommendationId} accepted by token:\\d+ cli \\(user:\\d+ operator@acme\\.test\\): credit_hold -> finance`,
      ),
    );
    const shown = await x.crossdock.services.ai.show(ids.CREDIT!.recommendationId);
    assert.equal(shown.reviewStatus, 'accepted');
    assert.equal(shown.decisionReason, 'over the limit indeed');
    assert.equal(
      (await x.crossdock.services.exceptions.show(ids.CREDIT!.caseId)).owner.team,
      'finance',
    );
    await x.stop(); // the store is free for the commands below
  });

  test('on the free store: override needs a reason and a team of the list, accepts once, and the case follows', async () => {
    const env = x.env;
    const late = ids.LATE_TRUCK!.recommendationId;
    const door = ids.WRONG_DOOR!.recommendationId;

    const listed = await runCrossdock(['ai', 'reviews', '--json'], env);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).recommendations.map((r: { id: string }) => r.id),
      [door, late],
    );

    const noReason = await runCrossdock(['ai', 'override', door, 'logistics'], env);
    assert.equal(noReason.status, 2);
    assert.match(noReason.stderr, /override needs --reason/);
    const badTeam = await runCrossdock(
      ['ai', 'override', door, 'warehouse', '--reason', 'ours'],
      env,
    );
    assert.equal(badTeam.status, 1);
    assert.match(badTeam.stderr, /AI_REVIEW_INVALID/);
    assert.match(badTeam.stderr, /team: must be one of logistics, purchasing/);

    const overridden = await runCrossdock(
      ['ai', 'override', door, 'logistics', '--reason', 'our own routing sent the driver wrong'],
      env,
    );
    assert.equal(overridden.status, 0, overridden.stderr);
    assert.match(
      overridden.stdout,
      new RegExp(`recommendation ${door} overridden by cli:\\S+: address_problem -> logistics`),
    );
    const accepted = await runCrossdock(['ai', 'accept', late], env);
    assert.equal(accepted.status, 0, accepted.stderr);
    const again = await runCrossdock(['ai', 'accept', late], env);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /AI_REVIEW_ILLEGAL/);
    assert.match(again.stderr, /already accepted by cli:/);
    const gate = await runCrossdock(['ai', 'accept', ids.STOCK_SHORT!.recommendationId], env);
    assert.equal(gate.status, 1);
    assert.match(gate.stderr, /applied by the gate: override it, or leave it/);

    const show = await runCrossdock(['ai', 'show', door], env);
    assert.equal(show.status, 0, show.stderr);
    assert.match(
      show.stdout,
      /answer address_problem -> customer_service, confidence 50 % \(threshold 80 %\)/,
    );
    assert.match(show.stdout, /why: The consignee moved\./);
    assert.match(
      show.stdout,
      /finally address_problem -> logistics \(overridden\) by cli:\S+: our own routing sent the driver wrong/,
    );
    const doorCase = JSON.parse(
      (await runCrossdock(['exceptions', 'show', ids.WRONG_DOOR!.caseId, '--json'], env)).stdout,
    );
    assert.equal(doorCase.owner.team, 'logistics');
    assert.match(doorCase.history.at(-1).actor, /^cli:/);
    const none = await runCrossdock(['ai', 'reviews'], env);
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout.trim(), 'no recommendation waits for a review');
    // Each decision is in the audit trail, with who made it and why.
    const exported = await runCrossdock(['audit', 'export'], env);
    assert.equal(exported.status, 0, exported.stderr);
    const entries = exported.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { action: string; actor: string; target: string; details: any },
      );
    const override = entries.find((e) => e.target === `ai_recommendation:${door}`)!;
    assert.equal(override.action, 'ai.override');
    assert.match(override.actor, /^cli:/);
    assert.equal(override.details.reason, 'our own routing sent the driver wrong');
    assert.deepEqual(
      entries.filter((e) => e.action.startsWith('ai.')).map((e) => e.action),
      ['ai.accept', 'ai.override', 'ai.accept'],
    );
    const audit = await runCrossdock(['audit', 'verify'], env);
    assert.equal(audit.status, 0, audit.stderr);
  });
});
