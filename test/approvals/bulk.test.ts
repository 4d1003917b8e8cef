import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BulkDecision } from '../../src/approvals/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import type { TestApi } from '../api/support.ts';
import { runCrossdock } from '../support/cli.ts';
import { waitForRun } from '../support/engine.ts';
import { approvalsApi, harness, review, type Harness } from './support.ts';

/** What a decide step hands the approval step: the decision, the policy version and the row that matched. */
const decided = (
  ruleId: string,
  inputs: Record<string, unknown>,
  version = '5f1c0e7a9b2d4c6e',
) => ({
  decision: { tier: 'manager', reason: 'order total of 10000 or more', bulk_approve: true },
  policy: { id: 'order-release-tier', version },
  matched: [{ node: 'Release tier', rule: 9, ruleId, inputs }],
});

/** Refused as a whole: the error, and the ids its details name. */
async function refusal(
  promise: Promise<unknown>,
): Promise<{ error: CrossdockError; paths: string[] }> {
  const error = await promise.then(
    () => assert.fail('the bulk decision was not refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CrossdockError, String(error));
  assert.equal(error.code, 'APPROVAL_BULK_REFUSED');
  return { error, paths: error.details.map((d) => d.path) };
}

describe('bulk approval of identical requests', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());
  const sam = () => h.people['sam@acme.test']!;
  const view = (id: string) => h.approvals.show(id);
  const decisions = async (id: string) =>
    (await view(id)).actions.filter((a) => a.action === 'approved' || a.action === 'rejected');

  test('identical low-risk requests are approved together; each run continues; each history row and audit entry notes the bulk decision', async () => {
    const requests = [];
    for (let i = 0; i < 3; i++) requests.push(await review(h, { tier: 'manager', bulk: true }));
    const alone = await review(h, { tier: 'manager' });
    const groups = await Promise.all(
      requests.map(async (r) => (await view(r.requestId)).bulkGroup),
    );
    assert.ok(groups[0], 'a bulk-approvable request has a group');
    assert.deepEqual(groups, [groups[0], groups[0], groups[0]]);
    assert.equal(
      (await view(alone.requestId)).bulkGroup,
      null,
      'a request without bulk: true has none',
    );

    const ids = requests.map((r) => r.requestId);
    const result = await h.approvals.decideMany(ids, sam(), 'routine restock orders', 'api');
    assert.deepEqual(
      result.results.map((r) => [r.id, r.outcome]),
      ids.map((id) => [id, 'approved']),
    );
    assert.deepEqual([result.approved, result.refused], [3, 0]);
    for (const r of requests) {
      const run = await waitForRun(h.engine, r.runId);
      assert.equal(run.status, 'completed');
      assert.deepEqual(run.output, { released: true, request: r.requestId });
      const shown = await view(r.requestId);
      assert.equal(shown.status, 'approved');
      assert.equal(shown.bulkGroup, null, 'a decided request is in no group');
      const [approved] = await decisions(r.requestId);
      assert.equal(approved!.reason, 'routine restock orders');
      assert.deepEqual(approved!.details, { bulk: { of: 3, group: groups[0] } });
    }
    const audited = (await h.audit.list({ action: 'approval.approve' })).filter((e) =>
      ids.includes(e.target!.replace('approval:', '')),
    );
    assert.equal(audited.length, 3);
    for (const e of audited) assert.deepEqual(e.details.bulk, { of: 3, group: groups[0] });
    assert.equal((await view(alone.requestId)).status, 'pending');
  });

  test('a request of another group, or one its policy does not allow in bulk, refuses the whole call: nothing is decided', async () => {
    const a = await review(h, { tier: 'manager', bulk: true });
    const b = await review(h, { tier: 'manager', bulk: true });
    const otherChain = await review(h, { tier: 'reject-late', bulk: true });
    const otherPolicy = await review(h, {
      tier: 'manager',
      bulk: true,
      policy: { tier: 'manager', rule: 4 },
    });
    const notAllowed = await review(h, { tier: 'manager' });
    const ids = [
      a.requestId,
      b.requestId,
      otherChain.requestId,
      otherPolicy.requestId,
      notAllowed.requestId,
    ];
    const { error, paths } = await refusal(h.approvals.decideMany(ids, sam(), null, 'api'));
    assert.deepEqual(paths, ['ids.2', 'ids.3', 'ids.4']);
    assert.match(
      error.message,
      /^Nothing was decided: 3 of the 5 requests cannot be approved together/,
    );
    assert.match(
      error.message,
      new RegExp(
        `${otherChain.requestId} \\(not like ${a.requestId}\\), ${otherPolicy.requestId} \\(not like ${a.requestId}\\), ${notAllowed.requestId} \\(not bulk-approvable\\)`,
      ),
    );
    assert.match(error.details[2]!.message, /may not be approved in bulk/);
    for (const id of ids) {
      assert.equal((await view(id)).status, 'pending', `request ${id} is still pending`);
      assert.deepEqual(await decisions(id), []);
    }
  });

  test('"identical" for a decide step\'s output: the same rule of the same policy version, whatever the inputs it looked at', async () => {
    const first = await review(h, {
      tier: 'manager',
      bulk: true,
      policy: decided('medium', { amount_total: 12_000 }),
    });
    const same = await review(h, {
      tier: 'manager',
      bulk: true,
      policy: decided('medium', { amount_total: 31_500 }),
    });
    const otherRule = await review(h, {
      tier: 'manager',
      bulk: true,
      policy: decided('medium-c', { amount_total: 12_000 }),
    });
    const otherVersion = await review(h, {
      tier: 'manager',
      bulk: true,
      policy: decided('medium', { amount_total: 12_000 }, '0000000000000000'),
    });
    const [g1, g2, g3, g4] = await Promise.all(
      [first, same, otherRule, otherVersion].map(async (r) => (await view(r.requestId)).bulkGroup),
    );
    assert.equal(g1, g2);
    assert.notEqual(g1, g3);
    assert.notEqual(g1, g4);
    const { paths } = await refusal(
      h.approvals.decideMany(
        [first.requestId, same.requestId, otherRule.requestId],
        sam(),
        null,
        'api',
      ),
    );
    assert.deepEqual(paths, ['ids.2']);
    const result = await h.approvals.decideMany(
      [first.requestId, same.requestId],
      sam(),
      null,
      'api',
    );
    assert.equal(result.approved, 2);
  });

  test('the same current level: a request one level further is no longer like the others', async () => {
    const ahead = await review(h, { tier: 'finance+director', bulk: true });
    const behind = await review(h, { tier: 'finance+director', bulk: true });
    assert.equal((await view(ahead.requestId)).bulkGroup, (await view(behind.requestId)).bulkGroup);
    await h.approvals.decide(ahead.requestId, h.people['fiona@acme.test']!, 'approve', null, 'api');
    assert.notEqual(
      (await view(ahead.requestId)).bulkGroup,
      (await view(behind.requestId)).bulkGroup,
    );
    const { paths } = await refusal(
      h.approvals.decideMany(
        [behind.requestId, ahead.requestId],
        h.people['maria@acme.test']!,
        null,
        'api',
      ),
    );
    assert.deepEqual(paths, ['ids.1']);
    assert.equal((await view(behind.requestId)).level.name, 'finance');
  });

  test("segregation of duties per request: the requester's own request is refused, the others are approved", async () => {
    const a = await review(h, { tier: 'manager', bulk: true });
    const own = await review(h, { tier: 'manager', bulk: true, requester: 'sam@acme.test' });
    const b = await review(h, { tier: 'manager', bulk: true });
    const result: BulkDecision = await h.approvals.decideMany(
      [a.requestId, own.requestId, b.requestId],
      sam(),
      null,
      'api',
    );
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['approved', 'refused', 'approved'],
    );
    const refused = result.results[1]!;
    assert.ok(refused.outcome === 'refused');
    assert.equal(refused.error.code, 'APPROVAL_SELF_APPROVAL');
    assert.match(
      refused.error.message,
      /sam@acme\.test requested approval request \d+ and cannot approve it/,
    );
    assert.equal((await waitForRun(h.engine, a.runId)).status, 'completed');
    assert.equal((await waitForRun(h.engine, b.runId)).status, 'completed');
    const shown = await view(own.requestId);
    assert.equal(shown.status, 'pending');
    assert.ok(
      shown.actions.some((x) => x.action === 'refused' && x.details.rule === 'self'),
      'the refusal is in its history',
    );
    await h.approvals.decide(own.requestId, h.people['maria@acme.test']!, 'approve', null, 'api');
    assert.equal((await waitForRun(h.engine, own.runId)).status, 'completed');
  });

  test('refused up front: an already decided request, an unknown or repeated id, none, or too many', async () => {
    const done = await review(h, { tier: 'manager', bulk: true });
    const open = await review(h, { tier: 'manager', bulk: true });
    await h.approvals.decide(done.requestId, sam(), 'approve', null, 'api');
    const decidedAlready = await refusal(
      h.approvals.decideMany([open.requestId, done.requestId], sam(), null, 'api'),
    );
    assert.deepEqual(decidedAlready.paths, ['ids.1']);
    assert.match(
      decidedAlready.error.details[0]!.message,
      new RegExp(`request ${done.requestId} was already approved at `),
    );
    assert.deepEqual(
      (
        await refusal(
          h.approvals.decideMany([open.requestId, '999999999', 'x1'], sam(), null, 'api'),
        )
      ).paths,
      ['ids.1', 'ids.2'],
    );
    assert.deepEqual(
      (await refusal(h.approvals.decideMany([open.requestId, open.requestId], sam(), null, 'api')))
        .paths,
      ['ids.1'],
    );
    assert.match(
      (await refusal(h.approvals.decideMany([], sam(), null, 'api'))).error.message,
      /name at least one request/,
    );
    const many = Array.from({ length: 201 }, () => open.requestId);
    assert.match(
      (await refusal(h.approvals.decideMany(many, sam(), null, 'api'))).error.message,
      /at most 200 requests at once; 201 given/,
    );
    assert.equal((await view(open.requestId)).status, 'pending');
    assert.deepEqual(await decisions(open.requestId), []);
  });
});

const CREDIT = `
id: credit-release
trigger: { event: credit.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Credit limit exceeded on ' & event.payload.name"
      policy: { tier: manager, rule: 4 }
      bulk: "= event.payload.low_risk"
      levels:
        - { name: credit, approvers: { group: credit-control }, sla_hours: 4 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

describe('bulk approval over HTTP and from the CLI', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-05-04T08:00:00Z');
  let approver: string;
  let viewer: string;
  let seq = 0;

  before(async () => {
    ({ h, approver, viewer } = await approvalsApi(CREDIT, clock));
  });
  after(() => h.close());

  async function openRequest(lowRisk = true) {
    const id = ++seq;
    const { runIds } = await h.engine.accept({
      source: 'odoo',
      type: 'credit.review',
      key: `c-${id}`,
      payload: { id, name: `S0${id}`, low_risk: lowRisk },
    });
    await waitForRun(h.engine, runIds[0]!, ['waiting']);
    const inbox = await h.request('GET', '/api/v1/approvals?mine=true', { token: approver });
    return {
      runId: runIds[0]!,
      request: inbox.body.approvals.find((a: { runId: string }) => a.runId === runIds[0]) as {
        id: string;
        bulkGroup: string | null;
      },
    };
  }

  test('an approver approves identical requests in one call; a viewer may not; a bulk reject is a 400', async () => {
    const [a, b] = [await openRequest(), await openRequest()];
    assert.ok(a.request.bulkGroup);
    assert.equal(a.request.bulkGroup, b.request.bulkGroup);
    const ids = [a.request.id, b.request.id];
    const denied = await h.request('POST', '/api/v1/approvals/bulk-decision', {
      token: viewer,
      body: { ids, decision: 'approve' },
    });
    assert.equal(denied.status, 403);
    const reject = await h.request('POST', '/api/v1/approvals/bulk-decision', {
      token: approver,
      body: { ids, decision: 'reject', reason: 'no' },
    });
    assert.equal(reject.status, 400);
    assert.equal(reject.body.error.code, 'REQUEST_INVALID');
    assert.deepEqual(
      reject.body.error.details.map((d: { path: string }) => d.path),
      ['body.decision'],
    );
    assert.match(
      reject.body.error.details[0].message,
      /only approve: requests are rejected one at a time/,
    );
    const approved = await h.request('POST', '/api/v1/approvals/bulk-decision', {
      token: approver,
      body: { ids, decision: 'approve', reason: 'limits raised' },
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.deepEqual(
      approved.body.results.map((r: { id: string; outcome: string }) => [r.id, r.outcome]),
      [
        [ids[0], 'approved'],
        [ids[1], 'approved'],
      ],
    );
    for (const r of [a, b])
      assert.deepEqual((await waitForRun(h.engine, r.runId)).output, { decision: 'approved' });
  });

  test('a request that cannot go with the others is a 409 naming it; nothing is decided', async () => {
    const a = await openRequest();
    const alone = await openRequest(false);
    assert.equal(alone.request.bulkGroup, null);
    const refused = await h.request('POST', '/api/v1/approvals/bulk-decision', {
      token: approver,
      body: { ids: [a.request.id, alone.request.id], decision: 'approve' },
    });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'APPROVAL_BULK_REFUSED');
    assert.deepEqual(
      refused.body.error.details.map((d: { path: string }) => d.path),
      ['ids.1'],
    );
    assert.equal(
      (await h.request('GET', `/api/v1/approvals/${a.request.id}`, { token: viewer })).body.status,
      'pending',
    );
  });

  test('crossdock approvals approve <id> <id> --bulk through the API; several ids without --bulk is a usage error', async () => {
    const [a, b] = [await openRequest(), await openRequest()];
    const env = { CROSSDOCK_TOKEN: approver };
    const usage = await runCrossdock(
      ['approvals', 'approve', a.request.id, b.request.id, '--api', h.base],
      env,
    );
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /approve them together with --bulk/);
    const result = await runCrossdock(
      [
        'approvals',
        'approve',
        a.request.id,
        b.request.id,
        '--bulk',
        '--reason',
        'same supplier batch',
        '--api',
        h.base,
      ],
      env,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `approved  ${a.request.id} \\(now approved\\)\\napproved  ${b.request.id} \\(now approved\\)\\n2 approved, 0 refused`,
      ),
    );
    for (const r of [a, b]) assert.equal((await waitForRun(h.engine, r.runId)).status, 'completed');
  });
});
