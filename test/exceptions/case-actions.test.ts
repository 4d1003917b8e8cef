/**
 * Business cases offer the actions their workflow declares, and only those: the API lists
 * them on the case, sends one to the run as a signal (audited, in the case history), refuses
 * any other with EXCEPTION_ACTION_NOT_ALLOWED, and the bulk path says per case what was done.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { startHarness, type Harness } from './support.ts';

describe('actions that fit the case', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const get = (path: string) => h.api.request('GET', path, { token: h.viewer });
  const post = (path: string, body: unknown = {}) =>
    h.api.request('POST', path, { token: h.operator, body });

  async function held(name: string): Promise<{ runId: string; caseId: string }> {
    const {
      runIds: [runId],
    } = await h.engine.accept({
      source: 'test',
      type: 'credit-hold',
      key: name,
      payload: { name },
    });
    assert.equal((await waitForRun(h.engine, runId!, ['waiting', 'failed'])).status, 'waiting');
    const [c] = await h.caseOf(runId!);
    return { runId: runId!, caseId: c!.id };
  }

  test('a held order offers release and cancel; release reaches the run, is in the history and the audit log, and the case takes no second action', async () => {
    const { runId, caseId } = await held('S00101');
    const shown = (await get(`/api/v1/exceptions/${caseId}`)).body;
    assert.deepEqual(
      [shown.type, shown.status, shown.actions],
      ['check', 'open', ['release', 'cancel']],
    );
    const listed = (await get('/api/v1/exceptions?status=open&workflow=credit-hold')).body
      .cases as { id: string; actions: string[] }[];
    assert.deepEqual(listed.find((c) => c.id === caseId)?.actions, ['release', 'cancel']);

    const retry = await post(`/api/v1/exceptions/${caseId}/retry`);
    assert.deepEqual([retry.status, retry.body.error.code], [409, 'EXCEPTION_NOT_RETRYABLE']);
    assert.match(retry.body.error.message, /release, cancel/);
    const refused = await post(`/api/v1/exceptions/${caseId}/actions/check_again`);
    assert.deepEqual(
      [refused.status, refused.body.error.code, refused.body.error.details[0].message],
      [409, 'EXCEPTION_ACTION_NOT_ALLOWED', 'one of: release, cancel'],
    );

    const done = await post(`/api/v1/exceptions/${caseId}/actions/release`, {
      note: 'prepayment received',
    });
    assert.deepEqual([done.status, done.body.status, done.body.actions], [200, 'retrying', []]);
    const run = await waitForRun(h.engine, runId, ['completed', 'failed']);
    assert.equal(run.status, 'completed');
    // The run gets who asked and why.
    assert.equal((run.output as { note: string }).note, 'prepayment received');
    assert.match((run.output as { by: string }).by, /operator@test/);
    const audit = await h.api.services.audit.list({ action: 'exception.action' });
    assert.deepEqual(
      audit.map((e) => [e.target, (e.details as { action: string }).action]),
      [[`exception:${caseId}`, 'release']],
    );
    const history = (await get(`/api/v1/exceptions/${caseId}`)).body.history as {
      action: string;
      details: { action?: string };
    }[];
    assert.deepEqual(
      history.filter((e) => e.action === 'action').map((e) => e.details.action),
      ['release'],
    );
    const again = await post(`/api/v1/exceptions/${caseId}/actions/release`);
    assert.deepEqual([again.status, again.body.error.code], [409, 'EXCEPTION_ILLEGAL_TRANSITION']);
  });

  test('bulk: an action is done where the case offers it and refused, with its code, where not', async () => {
    const a = await held('S00102');
    h.faults.set('SKU-ACT', 'short');
    const {
      runIds: [failedRun],
    } = await h.engine.accept({
      source: 'test',
      type: 'reserve',
      key: 'act-1',
      payload: { sku: 'SKU-ACT', qty: 1 },
    });
    assert.equal((await waitForRun(h.engine, failedRun!)).status, 'failed');
    const [deadLetter] = await h.caseOf(failedRun!);
    assert.deepEqual((await get(`/api/v1/exceptions/${deadLetter!.id}`)).body.actions, [
      'retry',
      'replay',
    ]);

    const bulk = await post('/api/v1/exceptions/bulk', {
      action: 'act',
      caseAction: 'cancel',
      ids: [a.caseId, deadLetter!.id],
    });
    assert.equal(bulk.status, 200);
    assert.deepEqual(
      bulk.body.results.map((r: { ok: boolean; error?: { code: string } }) => [
        r.ok,
        r.error?.code ?? null,
      ]),
      [
        [true, null],
        [false, 'EXCEPTION_ACTION_NOT_ALLOWED'],
      ],
    );
    assert.deepEqual([bulk.body.done, bulk.body.refused], [1, 1]);
    const run = await waitForRun(h.engine, a.runId, ['completed', 'failed']);
    assert.deepEqual(
      run.steps.filter((s) => s.status === 'completed').map((s) => s.stepId),
      ['flag', 'wait', 'act', 'cancelled'],
    );

    const b = await held('S00103');
    const retried = await post('/api/v1/exceptions/bulk', { action: 'retry', ids: [b.caseId] });
    assert.deepEqual(
      [
        retried.body.results[0].ok,
        retried.body.results[0].error.code,
        retried.body.done,
        retried.body.refused,
      ],
      [false, 'EXCEPTION_NOT_RETRYABLE', 0, 1],
    );
    const missing = await post('/api/v1/exceptions/bulk', { action: 'act', ids: [b.caseId] });
    assert.deepEqual(
      [missing.status, missing.body.error.details[0].path],
      [400, 'body.caseAction'],
    );
  });
});
