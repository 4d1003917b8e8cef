/**
 * Step-up approval levels (`step_up: true`): each decision needs a valid code from the
 * decider's TOTP authenticator. Codes are computed here from the enrolled secret at the
 * test clock's time, as the approver's phone would.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { ApprovalLevel } from '../../src/approvals/index.ts';
import { base32Decode, totpAt, TotpFactors } from '../../src/auth/index.ts';
import { DemoAuthenticators } from '../../src/demo/authenticators.ts';
import { sealedKeyCounts } from '../../src/secrets/index.ts';
import { testKeyring } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';
import { harness, review, type Harness } from './support.ts';

const STEP_MS = 30_000;

describe('step-up approval levels: a TOTP code with each decision', () => {
  let h: Harness;
  const secrets: Record<string, string> = {};
  const code = (email: string) => totpAt(base32Decode(secrets[email]!), h.clock.now());
  const person = (email: string) => h.people[email]!;

  async function enrol(email: string) {
    const started = await h.totp.start(person(email).userId, email);
    secrets[email] = started.secret;
    await h.totp.confirm(person(email).userId, code(email));
  }

  async function history(requestId: string) {
    return (await h.approvals.show(requestId)).actions.map((a) => ({
      action: a.action,
      code: a.details.code,
      stepUp: a.details.stepUp,
    }));
  }

  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  test('enrolment: a secret shown once, confirmed by a first code, sealed at rest', async () => {
    const fiona = person('fiona@acme.test').userId;
    const started = await h.totp.start(fiona, 'fiona@acme.test');
    assert.match(started.secret, /^[A-Z2-7]{32}$/);
    assert.equal(
      started.otpauthUri,
      `otpauth://totp/Crossdock:fiona%40acme.test?secret=${started.secret}&issuer=Crossdock&algorithm=SHA1&digits=6&period=30`,
    );
    assert.deepEqual(await h.totp.status(fiona), {
      enrolled: false,
      pending: true,
      confirmedAt: null,
      lockedUntil: null,
      recoveryCodesRemaining: 0,
    });
    const wrong = totpAt(
      base32Decode(started.secret),
      new Date(h.clock.now().getTime() - 5 * STEP_MS),
    );
    await assert.rejects(h.totp.confirm(fiona, wrong), { code: 'TOTP_CODE_INVALID' });
    secrets['fiona@acme.test'] = started.secret;
    const confirmed = await h.totp.confirm(fiona, code('fiona@acme.test'));
    assert.equal(confirmed.enrolled, true);
    assert.equal(confirmed.confirmedAt, h.clock.now().toISOString());
    await assert.rejects(h.totp.start(fiona, 'fiona@acme.test'), { code: 'TOTP_ALREADY_ENROLLED' });
    const row = (
      await sql<{
        secret_sealed: string;
      }>`SELECT secret_sealed FROM user_totp WHERE user_id = ${fiona}`.execute(h.t.store.db)
    ).rows[0]!;
    assert.match(row.secret_sealed, /^v1:[0-9a-f]{16}:/);
    assert.ok(!row.secret_sealed.includes(started.secret), 'the secret is not stored in clear');
  });

  test('a step-up level refuses no code, a wrong code and a used code, each recorded; a valid code decides', async () => {
    const { runId, requestId } = await review(h, { tier: 'write-off', amount: 48_000 });
    const fiona = person('fiona@acme.test');
    const view = await h.approvals.show(requestId);
    assert.equal(view.level.stepUp, true);
    await assert.rejects(h.approvals.decide(requestId, fiona, 'approve', null, 'api'), {
      code: 'APPROVAL_STEP_UP_REQUIRED',
      message: /needs a second factor: send the six-digit code/,
    });
    const current = code('fiona@acme.test');
    const wrong = current === '000000' ? '000001' : '000000';
    await assert.rejects(
      h.approvals.decide(requestId, fiona, 'approve', null, 'api', { code: wrong }),
      { code: 'APPROVAL_STEP_UP_INVALID' },
    );
    // The code that confirmed the enrolment is spent.
    await assert.rejects(
      h.approvals.decide(requestId, fiona, 'approve', null, 'api', { code: current }),
      { code: 'APPROVAL_STEP_UP_REPLAYED' },
    );
    assert.equal((await h.approvals.show(requestId)).status, 'pending');
    h.clock.advance(STEP_MS);
    const decided = await h.approvals.decide(
      requestId,
      fiona,
      'approve',
      'stock count checked',
      'api',
      {
        code: code('fiona@acme.test'),
      },
    );
    assert.equal(decided.level.name, 'director', 'the controller level is approved');
    const decisions = (await history(requestId)).filter((a) =>
      ['step_up_refused', 'approved'].includes(a.action),
    );
    assert.deepEqual(decisions, [
      { action: 'step_up_refused', code: 'APPROVAL_STEP_UP_REQUIRED', stepUp: undefined },
      { action: 'step_up_refused', code: 'APPROVAL_STEP_UP_INVALID', stepUp: undefined },
      { action: 'step_up_refused', code: 'APPROVAL_STEP_UP_REPLAYED', stepUp: undefined },
      { action: 'approved', code: undefined, stepUp: 'totp' },
    ]);

    // The director has no authenticator yet: told to enrol, and recorded.
    const dora = person('dora@acme.test');
    await assert.rejects(
      h.approvals.decide(requestId, dora, 'approve', null, 'api', { code: '123456' }),
      { code: 'APPROVAL_STEP_UP_NOT_ENROLLED', message: /enrol one/ },
    );
    await enrol('dora@acme.test');
    h.clock.advance(STEP_MS);
    await h.approvals.decide(requestId, dora, 'approve', null, 'api', {
      code: code('dora@acme.test'),
    });
    const done = await waitForRun(h.engine, runId);
    assert.equal(done.status, 'completed');
    assert.equal((done.output as { released: boolean }).released, true);
    const audit = await h.audit.search({
      action: 'approval.approve',
      target: `approval:${requestId}`,
      limit: 10,
      order: 'asc',
    });
    assert.deepEqual(
      audit.entries.map((e) => (e.details as { stepUp?: string }).stepUp),
      ['totp', 'totp'],
      'the audit log says each approval was confirmed with a second factor',
    );
  });

  test('a code spent on one request is refused on another; rejecting needs a code too', async () => {
    const fiona = person('fiona@acme.test');
    const { requestId } = await review(h, { tier: 'write-off' });
    // The code Fiona approved the write-off with, one step ago: still inside the window, but spent.
    const used = totpAt(
      base32Decode(secrets['fiona@acme.test']!),
      new Date(h.clock.now().getTime() - STEP_MS),
    );
    await assert.rejects(
      h.approvals.decide(requestId, fiona, 'reject', 'count is wrong', 'api', { code: used }),
      { code: 'APPROVAL_STEP_UP_REPLAYED' },
    );
    await assert.rejects(h.approvals.decide(requestId, fiona, 'reject', 'count is wrong', 'api'), {
      code: 'APPROVAL_STEP_UP_REQUIRED',
    });
    h.clock.advance(STEP_MS);
    const rejected = await h.approvals.decide(requestId, fiona, 'reject', 'count is wrong', 'api', {
      code: code('fiona@acme.test'),
    });
    assert.equal(rejected.status, 'rejected');
  });

  test('a step-up level may not be approved by its deadline', () => {
    const level = {
      name: 'treasury',
      approvers: { group: 'finance' },
      sla_hours: 8,
      step_up: true,
    };
    assert.equal(ApprovalLevel.safeParse({ ...level, on_breach: 'reject' }).success, true);
    const refused = ApprovalLevel.safeParse({ ...level, on_breach: 'approve' });
    assert.equal(refused.success, false);
    assert.deepEqual(
      refused.error!.issues.map((i) => i.path.join('.')),
      ['on_breach'],
    );
  });

  test('step-up requests are never approved in bulk', async () => {
    const a = await review(h, { tier: 'write-off', bulk: true });
    const b = await review(h, { tier: 'write-off', bulk: true });
    assert.equal((await h.approvals.show(a.requestId)).bulkGroup, null);
    await assert.rejects(
      h.approvals.decideMany([a.requestId, b.requestId], person('fiona@acme.test'), null, 'api'),
      { code: 'APPROVAL_BULK_REFUSED', message: /needs a second factor/ },
    );
  });

  test('five wrong codes in a row lock the authenticator for 15 minutes', async () => {
    await enrol('maria@acme.test');
    const maria = person('maria@acme.test');
    const { requestId } = await review(h, { tier: 'write-off' });
    h.clock.advance(STEP_MS);
    const good = code('maria@acme.test');
    const wrong = good === '111111' ? '222222' : '111111';
    for (let i = 1; i <= 4; i++)
      await assert.rejects(
        h.approvals.decide(requestId, maria, 'approve', null, 'api', { code: wrong }),
        { code: 'APPROVAL_STEP_UP_INVALID', message: new RegExp(`wrong ${i} time`) },
      );
    await assert.rejects(
      h.approvals.decide(requestId, maria, 'approve', null, 'api', { code: wrong }),
      { code: 'TOTP_LOCKED' },
    );
    await assert.rejects(
      h.approvals.decide(requestId, maria, 'approve', null, 'api', { code: good }),
      { code: 'TOTP_LOCKED' },
      'even the right code is refused while locked',
    );
    assert.notEqual((await h.totp.status(maria.userId)).lockedUntil, null);
    h.clock.advance(15 * 60_000);
    const decided = await h.approvals.decide(requestId, maria, 'approve', null, 'api', {
      code: code('maria@acme.test'),
    });
    assert.equal(decided.level.name, 'director');
  });

  test('authenticator secrets count in the keyring check at start and move to a new key on rotation', async () => {
    const before = await sealedKeyCounts(h.t.store.db);
    const enrolled = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM user_totp`.execute(h.t.store.db)).rows[0]!
        .n,
    );
    assert.deepEqual(before, [{ keyId: h.keyring.current.id, count: enrolled }]);
    const next = testKeyring();
    const rotated = new TotpFactors(
      h.t.store.db as never,
      { ...next, previous: [h.keyring.current] },
      () => h.clock.now(),
    );
    assert.deepEqual(await rotated.reseal(), { resealed: enrolled, total: enrolled });
    assert.deepEqual(await sealedKeyCounts(h.t.store.db), [
      { keyId: next.current.id, count: enrolled },
    ]);
    // The new key alone opens them: Maria's next code is accepted through it.
    const alone = new TotpFactors(h.t.store.db as never, next, () => h.clock.now());
    h.clock.advance(STEP_MS);
    const check = await h.t.store.db
      .transaction()
      .execute((tx) =>
        alone.check(tx as never, person('maria@acme.test').userId, code('maria@acme.test')),
      );
    assert.equal(check.outcome, 'accepted');
    assert.deepEqual(await alone.reseal(), { resealed: 0, total: enrolled });
    // Back under the harness's key for the tests after this one.
    await new TotpFactors(h.t.store.db as never, { ...h.keyring, previous: [next.current] }, () =>
      h.clock.now(),
    ).reseal();
  });

  test('removing an authenticator takes a current code; afterwards the level says to enrol', async () => {
    const fiona = person('fiona@acme.test');
    h.clock.advance(STEP_MS);
    await assert.rejects(
      h.totp.remove(fiona.userId, '000000' === code('fiona@acme.test') ? '000001' : '000000'),
      {
        code: 'TOTP_CODE_INVALID',
      },
    );
    await h.totp.remove(fiona.userId, code('fiona@acme.test'));
    assert.equal((await h.totp.status(fiona.userId)).enrolled, false);
    const { requestId } = await review(h, { tier: 'write-off' });
    await assert.rejects(
      h.approvals.decide(requestId, fiona, 'approve', null, 'api', { code: '123456' }),
      { code: 'APPROVAL_STEP_UP_NOT_ENROLLED' },
    );
    await assert.rejects(h.totp.remove(fiona.userId, '123456'), { code: 'TOTP_NOT_ENROLLED' });
  });
});

describe("the demo approvers' authenticator apps", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  test('each decision takes an unused code: two at once, the third at the next step', async () => {
    const fiona = h.people['fiona@acme.test']!;
    const apps = await DemoAuthenticators.enrol(h.totp, [fiona], () => h.clock.now());
    assert.equal((await h.totp.status(fiona.userId)).enrolled, true);
    const requests = [];
    for (let i = 0; i < 3; i++) requests.push((await review(h, { tier: 'write-off' })).requestId);
    const slots = requests.map(() => apps.next(fiona.userId)!);
    assert.deepEqual(
      slots.map((s) => s.waitMs > 0),
      [false, false, true],
    );
    assert.ok(slots[2]!.waitMs <= STEP_MS);
    for (const [i, requestId] of requests.entries()) {
      if (slots[i]!.waitMs > 0) h.clock.advance(slots[i]!.waitMs);
      const decided = await h.approvals.decide(requestId, fiona, 'approve', null, 'api', {
        code: slots[i]!.code,
      });
      assert.equal(decided.level.name, 'director', `request ${i + 1}`);
    }
    assert.equal(apps.next('999'), null, 'someone without an app gets no code');
  });
});
