/**
 * Recovery codes of a step-up authenticator, over HTTP: ten single-use codes shown once at
 * confirmation, each deciding once in place of a TOTP code, counted, audited without the
 * code, sharing the wrong-code lock, replaced (only with a TOTP code) and usable to remove
 * the factor. Nothing issued appears in the audit log, the logs or the database.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { base32Decode, totpAt } from '../../src/auth/index.ts';
import { ManualClock } from '../../src/engine/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';
import { approvalsApi, STEP_UP_WORKFLOW } from './support.ts';

const STEP_MS = 30_000;
const SHOWN = /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/;

describe('recovery codes of a step-up authenticator', () => {
  let h: TestApi;
  const clock = new ManualClock('2026-05-04T08:00:00Z');
  let admin: string;
  let approver: string;
  let approverId: string;
  let secret: string;
  let first: string[] = [];
  let second: string[] = [];
  let logs = '';
  let seq = 0;
  const nextCode = () => {
    clock.advance(STEP_MS);
    return totpAt(base32Decode(secret), clock.now());
  };
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs += String(chunk);
      done();
    },
  });

  before(async () => {
    ({ h, admin, approver } = await approvalsApi(
      STEP_UP_WORKFLOW,
      clock,
      (api) => ({ secondFactor: api.services.totp }),
      { logger: createLogger({ level: 'trace', destination: sink }) },
    ));
    approverId = (await h.request('GET', '/api/v1/auth/me', { token: approver })).body.userId;
  });
  after(() => h.close());

  async function openRequest() {
    const id = ++seq;
    const { runIds } = await h.engine.accept({
      source: 'odoo',
      type: 'vendor.bank_changed',
      key: `bank-${id}`,
      payload: { id, name: `Vendor ${id}` },
    });
    await waitForRun(h.engine, runIds[0]!, ['waiting']);
    const inbox = await h.request('GET', '/api/v1/approvals?mine=true', { token: approver });
    const request = inbox.body.approvals.find((a: { runId: string }) => a.runId === runIds[0]);
    assert.ok(request, "the request is in the approver's inbox");
    return { runId: runIds[0]!, id: request.id as string };
  }
  const decide = (id: string, code: string) =>
    h.request('POST', `/api/v1/approvals/${id}/decision`, {
      token: approver,
      body: { decision: 'approve', code },
    });
  const remaining = async () =>
    (await h.request('GET', '/api/v1/auth/totp', { token: approver })).body
      .recoveryCodesRemaining as number;

  test('confirming the enrolment returns ten distinct codes, once; only their digests are stored', async () => {
    const started = await h.request('POST', '/api/v1/auth/totp', { token: approver });
    secret = started.body.secret;
    const confirmed = await h.request('POST', '/api/v1/auth/totp/confirm', {
      token: approver,
      body: { code: nextCode() },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.headers.get('cache-control'), 'no-store');
    first = confirmed.body.recoveryCodes;
    assert.equal(first.length, 10);
    for (const c of first) assert.match(c, SHOWN);
    assert.equal(new Set(first).size, 10);
    assert.equal(confirmed.body.recoveryCodesRemaining, 10);
    const status = await h.request('GET', '/api/v1/auth/totp', { token: approver });
    assert.equal(status.body.recoveryCodesRemaining, 10);
    assert.equal(status.body.recoveryCodes, undefined, 'the codes are not shown again');
    const rows = (
      await sql`SELECT * FROM user_totp_recovery WHERE user_id = ${approverId}`.execute(
        h.t.store.db,
      )
    ).rows;
    assert.equal(rows.length, 10);
    const stored = JSON.stringify(rows);
    for (const c of first) {
      assert.ok(!stored.includes(c.replace(/-/g, '')), 'no code is stored in clear');
      assert.ok(!stored.includes(c));
    }
  });

  test('a recovery code decides once in place of a TOTP code, and the count goes down', async () => {
    const a = await openRequest();
    // Typed loosely: lower case, spaces instead of dashes.
    const typed = first[0]!.toLowerCase().replace(/-/g, ' ');
    const ok = await decide(a.id, typed);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'approved');
    assert.deepEqual((await waitForRun(h.engine, a.runId)).output, { decision: 'approved' });
    assert.equal(await remaining(), 9);

    const b = await openRequest();
    const again = await decide(b.id, first[0]!);
    assert.equal(again.status, 422);
    assert.equal(again.body.error.code, 'APPROVAL_STEP_UP_RECOVERY_USED');
    assert.match(again.body.error.message, /already used/);
    assert.equal(await remaining(), 9);
    const shown = await h.request('GET', `/api/v1/approvals/${b.id}`, { token: admin });
    assert.deepEqual(
      shown.body.actions
        .filter((x: { action: string }) => x.action === 'step_up_refused')
        .map((x: { details: { code: string } }) => x.details.code),
      ['APPROVAL_STEP_UP_RECOVERY_USED'],
      "the refusal is in the request's history",
    );
    const audit = await h.request('GET', `/api/v1/audit?action=approval.approve&order=asc`, {
      token: admin,
    });
    const entry = audit.body.entries.find(
      (e: { target: string }) => e.target === `approval:${a.id}`,
    );
    assert.equal(entry.details.stepUp, 'recovery_code', 'using a recovery code is audited');
    assert.equal(entry.details.recoveryCodesRemaining, 9);
    const decided = await decide(b.id, first[1]!);
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(await remaining(), 8);
  });

  test('wrong recovery codes count toward the same lock as wrong TOTP codes', async () => {
    const { id } = await openRequest();
    const good = nextCode();
    const wrongTotp = good === '000000' ? '000001' : '000000';
    const wrongRecovery = 'AAAA-BBBB-CCCC-DDDD';
    for (const [i, c] of [wrongTotp, wrongRecovery, wrongTotp, wrongRecovery].entries()) {
      const refused = await decide(id, c);
      assert.equal(refused.body.error.code, 'APPROVAL_STEP_UP_INVALID');
      assert.match(refused.body.error.message, new RegExp(`wrong ${i + 1} time`));
    }
    const locked = await decide(id, wrongRecovery);
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'TOTP_LOCKED');
    const stillLocked = await decide(id, first[2]!);
    assert.equal(stillLocked.body.error.code, 'TOTP_LOCKED', 'a good code is refused while locked');
    assert.equal(await remaining(), 8, 'and is not spent');
    clock.advance(15 * 60_000);
    const ok = await decide(id, first[2]!);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(await remaining(), 7);
  });

  test('regenerating takes a current TOTP code and replaces the whole set', async () => {
    const path = '/api/v1/auth/totp/recovery-codes';
    const byRecovery = await h.request('POST', path, {
      token: approver,
      body: { code: first[3]! },
    });
    assert.equal(byRecovery.status, 400);
    assert.equal(byRecovery.body.error.details[0].path, 'body.code');
    const good = nextCode();
    const wrong = await h.request('POST', path, {
      token: approver,
      body: { code: good === '000000' ? '000001' : '000000' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'TOTP_CODE_INVALID');
    assert.equal(await remaining(), 7, 'a refused regeneration leaves the set');
    const renewed = await h.request('POST', path, { token: approver, body: { code: good } });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.equal(renewed.headers.get('cache-control'), 'no-store');
    second = renewed.body.recoveryCodes;
    assert.equal(second.length, 10);
    assert.ok(second.every((c) => SHOWN.test(c) && !first.includes(c)));
    assert.equal(await remaining(), 10);
    const { id } = await openRequest();
    const old = await decide(id, first[3]!);
    assert.equal(old.body.error.code, 'APPROVAL_STEP_UP_INVALID', 'the old set is gone');
    const ok = await decide(id, second[0]!);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const audit = await h.request('GET', '/api/v1/audit?action=totp&order=asc', { token: admin });
    assert.deepEqual(
      audit.body.entries.map((e: { action: string; details: Record<string, unknown> }) => [
        e.action,
        e.details.recoveryCodes ?? e.details.code ?? null,
      ]),
      [
        ['totp.enrol', null],
        ['totp.confirm', 10],
        ['totp.refused', 'TOTP_CODE_INVALID'],
        ['totp.recovery_codes_regenerate', 10],
      ],
    );
  });

  test('a recovery code removes the authenticator (the phone is lost), and its codes go with it', async () => {
    const used = await h.request('DELETE', '/api/v1/auth/totp', {
      token: approver,
      body: { code: second[0]! },
    });
    assert.equal(used.status, 400);
    assert.equal(used.body.error.code, 'TOTP_RECOVERY_CODE_USED');
    const removed = await h.request('DELETE', '/api/v1/auth/totp', {
      token: approver,
      body: { code: second[1]! },
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const status = await h.request('GET', '/api/v1/auth/totp', { token: approver });
    assert.equal(status.body.enrolled, false);
    assert.equal(status.body.recoveryCodesRemaining, 0);
    const rows = await sql`SELECT 1 FROM user_totp_recovery WHERE user_id = ${approverId}`.execute(
      h.t.store.db,
    );
    assert.equal(rows.rows.length, 0);
    const audit = await h.request('GET', '/api/v1/audit?action=totp.remove', { token: admin });
    assert.equal(audit.body.entries[0].details.via, 'recovery_code');
  });

  test('no issued code is in the audit log or the logs', async () => {
    const audit = JSON.stringify(
      (await h.request('GET', '/api/v1/audit?limit=500', { token: admin })).body,
    );
    assert.ok(logs.length > 0, 'the logs were captured');
    for (const c of [...first, ...second]) {
      for (const form of [c, c.replace(/-/g, ''), c.toLowerCase().replace(/-/g, ' ')]) {
        assert.ok(!audit.includes(form), `audit holds ${form}`);
        assert.ok(!logs.includes(form), `logs hold ${form}`);
      }
    }
  });
});
