/**
 * A bulk request carries no inputs, so an action that needs inputs of its own for each case
 * (book by hand: each parcel's carrier and tracking reference) is refused whole, up front:
 * one 400 naming the action and its inputs, no per-case results, nothing changed or audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from './support.ts';

describe('bulk act with an action that needs per-case inputs', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const post = (path: string, body: unknown = {}) =>
    h.api.request('POST', path, { token: h.operator, body });

  test('book_by_hand over ids or a root-cause group is refused with 400 EXCEPTION_BULK_NEEDS_CASE_INPUTS, and no case changes', async () => {
    const cases: string[] = [];
    for (const parcel of ['P-1', 'P-2']) {
      const { runId, status } = await h.run('ship-by-hand', { parcel });
      assert.equal(status, 'failed');
      cases.push((await h.caseOf(runId))[0]!.id);
    }
    for (const id of cases)
      assert.deepEqual((await h.exceptions.show(id)).actions, ['retry', 'replay', 'book_by_hand']);
    const auditBefore = (await h.api.services.audit.list({ limit: 1000 })).length;
    const historyBefore = await Promise.all(
      cases.map(async (id) => (await h.exceptions.show(id)).history.length),
    );
    const group = (
      await h.api.request('GET', '/api/v1/exceptions/groups', { token: h.operator })
    ).body.groups.find((g: { workflowId: string }) => g.workflowId === 'ship-by-hand');
    assert.equal(group.count, 2);

    for (const target of [{ ids: cases }, { group: group.key }]) {
      const answer = await post('/api/v1/exceptions/bulk', {
        action: 'act',
        caseAction: 'book_by_hand',
        note: 'booked on the portal',
        ...target,
      });
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.results, undefined, 'no per-case results');
      assert.equal(answer.body.error.code, 'EXCEPTION_BULK_NEEDS_CASE_INPUTS');
      assert.match(
        answer.body.error.message,
        /"book_by_hand" cannot be taken in bulk: it needs inputs of its own for each case \(carrier, tracking_ref\); take it case by case/,
      );
      assert.deepEqual(answer.body.error.details, [
        {
          path: 'caseAction',
          message: '"book_by_hand" needs per-case inputs: carrier, tracking_ref',
        },
      ]);
    }

    // Nothing changed: each case still open with its action offered, no history row, no audit entry.
    for (const [i, id] of cases.entries()) {
      const shown = await h.exceptions.show(id);
      assert.deepEqual(
        [shown.status, shown.actions, shown.history.length, shown.run?.status],
        ['open', ['retry', 'replay', 'book_by_hand'], historyBefore[i], 'failed'],
      );
    }
    assert.equal((await h.api.services.audit.list({ limit: 1000 })).length, auditBefore);

    // Case by case, with its own inputs, the action is taken.
    const one = await post(`/api/v1/exceptions/${cases[0]}/actions/book_by_hand`, {
      inputs: { carrier: 'euroline', tracking_ref: 'EL-BULK-0001' },
    });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.status, 'retrying');
  });
});
