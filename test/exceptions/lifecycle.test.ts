/**
 * A case's life as an operator sees it over the API: a failed run opens one case, the case
 * shows the failed step with its input, a replay with a corrected input completes the run
 * and closes the case, and illegal transitions answer 409.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForRun } from '../support/engine.ts';
import { delivery, startHarness, type Harness } from './support.ts';

describe('exception cases: open, show, replay, resolve, reopen', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());
  const get = (path: string) => h.api.request('GET', path, { token: h.viewer });
  const post = (path: string, body: unknown = {}) =>
    h.api.request('POST', path, { token: h.operator, body });

  test('an Odoo UserError (retries configured) opens ONE odoo_refusal case; replay with a corrected input completes the run and resolves it', async () => {
    const unreserved = await delivery(h.sim, false);
    const { runId, status } = await h.run('ship', { picking: unreserved });
    assert.equal(status, 'failed');
    const cases = await h.caseOf(runId);
    assert.deepEqual(
      cases.map((c) => [c.type, c.status]),
      [['odoo_refusal', 'open']],
    );
    const id = cases[0]!.id;

    const shown = await get(`/api/v1/exceptions/${id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.type, 'odoo_refusal');
    assert.equal(shown.body.errorCode, 'ODOO_USER_ERROR');
    assert.match(shown.body.errorMessage, /no quantities are reserved/);
    assert.equal(shown.body.title, 'ship failed at validate');
    assert.deepEqual(
      [shown.body.workflowId, shown.body.runId, shown.body.stepId],
      ['ship', runId, 'validate'],
    );
    assert.deepEqual(shown.body.owner, { team: null, userId: null });
    assert.equal(shown.body.severity, 'medium');
    assert.equal(shown.body.dueAt, '2026-03-03T09:00:00.000Z', 'the default SLA is 24 hours');
    assert.deepEqual(shown.body.run, {
      id: runId,
      status: 'failed',
      input: { picking: unreserved },
    });
    assert.deepEqual(shown.body.failedStep.input, { picking_id: unreserved, backorder: 'none' });
    assert.equal(shown.body.failedStep.attempts, 1, 'a refusal is not retried');
    assert.equal(shown.body.failedStep.error.code, 'ODOO_USER_ERROR');
    assert.deepEqual(
      shown.body.history.map((e: { action: string }) => e.action),
      ['opened'],
    );

    const good = await delivery(h.sim, true);
    const replayed = await post(`/api/v1/exceptions/${id}/replay`, { input: { picking: good } });
    assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
    assert.equal(replayed.body.status, 'retrying');
    const run = await waitForRun(h.engine, runId);
    assert.equal(run.status, 'completed');
    assert.equal(
      h.sim.db.searchRead('stock.picking', [['id', '=', good]], ['state'])[0]?.state,
      'done',
    );

    const closed = await get(`/api/v1/exceptions/${id}`);
    assert.equal(closed.body.status, 'resolved');
    assert.equal(closed.body.reasonCode, 'fixed_by_retry');
    assert.notEqual(closed.body.closedAt, null);
    const history = closed.body.history as {
      action: string;
      actor: string;
      details: { input?: unknown };
    }[];
    assert.deepEqual(
      history.map((e) => e.action),
      ['opened', 'replayed', 'resolved'],
    );
    assert.deepEqual([history[0]!.actor, history[2]!.actor], ['engine', 'engine']);
    assert.match(history[1]!.actor, /operator@test\.example/);
    assert.deepEqual(closed.body.history[1].details.input, { picking: good });
    assert.deepEqual(closed.body.run, { id: runId, status: 'completed', input: { picking: good } });
    assert.equal((await h.caseOf(runId)).length, 1);
    const audit = await h.api.services.audit.list({ action: 'exception.replay' });
    assert.deepEqual(
      audit.map((a) => a.target),
      [`exception:${id}`],
    );
  });

  test('a transient failure retried 3 times opens one case; a retry that fails again reopens the same case', async () => {
    h.faults.set('SKU-OUT', 'outage');
    const { runId, status } = await h.run('reserve', { sku: 'SKU-OUT', qty: 2 });
    assert.equal(status, 'failed');
    assert.equal(h.calls.get('SKU-OUT'), 3);
    const [only, ...others] = await h.caseOf(runId);
    assert.equal(others.length, 0, 'one case per failed run, not one per attempt');
    const shown = await get(`/api/v1/exceptions/${only!.id}`);
    assert.deepEqual(
      [shown.body.type, shown.body.severity, shown.body.errorCode, shown.body.failedStep.attempts],
      ['dead_letter', 'high', 'WAREHOUSE_UNAVAILABLE', 3],
    );
    assert.deepEqual(
      shown.body.failedStep.input,
      { sku: 'SKU-OUT', qty: 2 },
      'resolved from the checkpoint of the step before',
    );

    assert.equal((await post(`/api/v1/exceptions/${only!.id}/retry`)).status, 200);
    assert.equal((await waitForRun(h.engine, runId)).status, 'failed');
    const again = await get(`/api/v1/exceptions/${only!.id}`);
    assert.equal(again.body.status, 'open');
    assert.deepEqual(
      again.body.history.map((e: { action: string }) => e.action),
      ['opened', 'retried', 'failed_again'],
    );
    assert.deepEqual(
      (await h.caseOf(runId)).map((c) => c.id),
      [only!.id],
    );

    h.faults.delete('SKU-OUT');
    assert.equal((await post(`/api/v1/exceptions/${only!.id}/retry`)).status, 200);
    assert.equal((await waitForRun(h.engine, runId)).status, 'completed');
    assert.equal((await get(`/api/v1/exceptions/${only!.id}`)).body.status, 'resolved');
    // Every change of the case is in the audit log, the engine's (open, failed again, resolved by the retry) with the operator's.
    const audit = (await h.api.services.audit.list({ action: 'exception', limit: 1000 })).filter(
      (e) => e.target === `exception:${only!.id}`,
    );
    assert.deepEqual(
      audit.map((e) => [e.action, e.actor === 'engine' ? 'engine' : 'operator']),
      [
        ['exception.open', 'engine'],
        ['exception.retry', 'operator'],
        ['exception.failed_again', 'engine'],
        ['exception.retry', 'operator'],
        ['exception.resolve', 'engine'],
      ],
    );
    assert.deepEqual(audit[0]!.details, { run: runId, code: 'WAREHOUSE_UNAVAILABLE' });
    assert.equal((await h.api.services.audit.verify()).ok, true);
  });

  test('illegal transitions answer 409 EXCEPTION_ILLEGAL_TRANSITION; resolve needs a reason code from the closed set', async () => {
    h.faults.set('SKU-GONE', 'short');
    const { runId } = await h.run('reserve', { sku: 'SKU-GONE', qty: 1 });
    const id = (await h.caseOf(runId))[0]!.id;
    const bad = await post(`/api/v1/exceptions/${id}/resolve`, { reasonCode: 'because' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'body.reasonCode');

    const resolved = await post(`/api/v1/exceptions/${id}/resolve`, {
      reasonCode: 'handled_manually',
      note: 'reserved by hand in Odoo',
    });
    assert.equal(resolved.status, 200);
    assert.deepEqual(
      [resolved.body.status, resolved.body.reasonCode],
      ['resolved', 'handled_manually'],
    );
    const conflicts = await Promise.all([
      post(`/api/v1/exceptions/${id}/resolve`, { reasonCode: 'duplicate' }),
      post(`/api/v1/exceptions/${id}/retry`),
      post(`/api/v1/exceptions/${id}/replay`, { input: { sku: 'SKU-GONE', qty: 0 } }),
      post(`/api/v1/exceptions/${id}/assign`, { team: 'warehouse' }),
    ]);
    for (const answer of conflicts) {
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'EXCEPTION_ILLEGAL_TRANSITION');
      assert.match(answer.body.error.message, new RegExp(`Exception case ${id} is resolved`));
    }
    assert.equal(
      (await waitForRun(h.engine, runId)).status,
      'failed',
      'a refused retry does not touch the run',
    );

    assert.equal(
      (await post(`/api/v1/exceptions/${id}/reopen`, { reason: 'Odoo still shows it short' })).body
        .status,
      'open',
    );
    const twice = await post(`/api/v1/exceptions/${id}/reopen`, { reason: 'again' });
    assert.deepEqual([twice.status, twice.body.error.code], [409, 'EXCEPTION_ILLEGAL_TRANSITION']);
    const history = (await get(`/api/v1/exceptions/${id}`)).body.history.map(
      (e: { action: string }) => e.action,
    );
    assert.deepEqual(history, ['opened', 'resolved', 'reopened']);
    assert.equal((await get('/api/v1/exceptions/99999999')).status, 404);
  });

  test('raise_exception opens a case without failing the run, outputs its id, and a failed run still gets its own dead letter', async () => {
    const { runId, status } = await h.run('credit', { order: 42, name: 'S00042', limit: 5000 });
    assert.equal(status, 'completed');
    const run = await h.engine.runs.show(runId);
    const caseId = (run.output as { case: string }).case;
    const shown = (await get(`/api/v1/exceptions/${caseId}`)).body;
    assert.deepEqual(
      [
        shown.type,
        shown.status,
        shown.severity,
        shown.title,
        shown.errorCode,
        shown.subject,
        shown.owner,
        shown.dueAt,
      ],
      [
        'raised',
        'open',
        'high',
        'Credit hold on S00042',
        'CREDIT_HOLD',
        { model: 'sale.order', id: 42, name: 'S00042' },
        { team: 'finance', userId: null },
        '2026-03-02T13:00:00.000Z',
      ],
    );
    assert.equal(shown.failedStep, null);
    assert.deepEqual(shown.details, { limit: 5000 });
    const notRetryable = await post(`/api/v1/exceptions/${caseId}/retry`);
    assert.deepEqual(
      [notRetryable.status, notRetryable.body.error.code],
      [409, 'EXCEPTION_NOT_RETRYABLE'],
    );

    const stopped = await h.run('credit-then-fail', { name: 'S00043' });
    assert.equal(stopped.status, 'failed');
    assert.deepEqual(
      (await h.caseOf(stopped.runId)).map((c) => [c.type, c.status]),
      [
        ['raised', 'open'],
        ['dead_letter', 'open'],
      ],
    );
  });

  test('openCase (a scheduled check) is idempotent by key', async () => {
    const input = {
      type: 'check' as const,
      title: 'PO00012 is 3 days late',
      code: 'PO_LATE',
      key: 'po-late:12:2026-03-02',
      subject: { model: 'purchase.order', id: 12 },
    };
    const first = await h.exceptions.openCase(input, { actor: 'schedule:supplier-delay' });
    const second = await h.exceptions.openCase(input, { actor: 'schedule:supplier-delay' });
    assert.deepEqual([first.created, second.created, second.case.id], [true, false, first.case.id]);
    assert.equal(first.case.type, 'check');
    await assert.rejects(h.exceptions.openCase({ title: '' }, { actor: 'x' }), {
      code: 'EXCEPTION_CASE_INVALID',
    });
  });

  test('update (a run telling its case what changed) keeps one case with its history; a closed case is refused', async () => {
    const who = { actor: 'workflow:supplier-delay run:1' };
    const { case: opened } = await h.exceptions.openCase(
      { type: 'check', title: 'WH/IN/00007 late: expected 2026-03-05', key: 'receipt-late:7' },
      who,
    );
    const updated = await h.exceptions.update(
      opened.id,
      {
        severity: 'high',
        title: 'WH/IN/00007 late: expected 2026-03-09',
        details: { expected: '2026-03-09 10:00:00' },
      },
      who,
    );
    assert.deepEqual(
      [updated.id, updated.status, updated.severity, updated.title],
      [opened.id, 'open', 'high', 'WH/IN/00007 late: expected 2026-03-09'],
    );
    const shown = await h.exceptions.show(opened.id);
    assert.deepEqual(shown.details, { expected: '2026-03-09 10:00:00' });
    assert.deepEqual(
      shown.history.map((e) => [e.action, e.details.severity ?? null, e.details.from ?? null]),
      [
        ['opened', 'medium', null],
        ['updated', 'high', 'medium'],
      ],
    );
    await h.exceptions.resolve(opened.id, 'fixed_in_source', null, { actor: 'test' });
    await assert.rejects(h.exceptions.update(opened.id, { severity: 'low' }, who), {
      code: 'EXCEPTION_ILLEGAL_TRANSITION',
    });
  });
});
