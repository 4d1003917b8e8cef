/**
 * packs/vendor-bank end to end on the simulators: a vendor's new or changed bank account
 * (res.partner.bank, untrusted) holds its payments until two people approve it, each with a
 * code from their authenticator; the account is then trusted again. A rejection keeps it
 * untrusted and opens a case. Codes are computed from the enrolled secrets at the test clock.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { base32Decode, totpAt } from '../../src/auth/index.ts';
import { waitForRun } from '../support/engine.ts';
import { eventually, JumpingClock, packHarness, type PackHarness } from './support.ts';

const STEP_MS = 30_000;
const FIONA = 'fiona.finance@demo.crossdock.test';
const DORA = 'dora.director@demo.crossdock.test';
/** The Odoo user who edits the vendor (the demo's salesperson): not an approver. */
const CLERK_UID = 8;

describe('vendor bank account changes: held, dual approval with a second factor', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  const secrets: Record<string, Buffer> = {};
  let vendorId: number;
  const code = (email: string) => totpAt(secrets[email]!, clock.now());

  async function enrol(email: string) {
    const who = h.approver(email);
    const started = await h.crossdock.services.totp.start(who.userId, email);
    secrets[email] = base32Decode(started.secret);
    await h.crossdock.services.totp.confirm(who.userId, code(email));
  }
  const decide = (requestId: string, email: string, decision: 'approve' | 'reject', c?: string) =>
    h.crossdock.services.approvals.decide(
      requestId,
      h.approver(email),
      decision,
      decision === 'reject'
        ? 'vendor did not confirm the change by phone'
        : 'called the vendor back',
      'api',
      c === undefined ? {} : { code: c },
    );
  const runsFor = async (accountId: number) =>
    (
      await sql<{ id: string }>`SELECT id FROM runs WHERE workflow_id = 'vendor-bank-change'
        AND input->>'id' = ${String(accountId)} ORDER BY id`.execute(h.crossdock.store.db)
    ).rows.map((r) => String(r.id));
  const account = async (id: number) =>
    (
      await h.rpc<{ acc_number: string; allow_out_payment: boolean }[]>(
        'res.partner.bank',
        'read',
        [[id]],
        { fields: ['acc_number', 'allow_out_payment'] },
      )
    )[0]!;
  async function waitingRun(accountId: number, after = 0) {
    // The change reaches Crossdock through Odoo's webhook or the poller, behind whatever
    // the test clock's jumps made due; on a loaded machine that can take longer than 30 s.
    const runId = await eventually(
      `a run for bank account ${accountId}`,
      async () => (await runsFor(accountId))[after],
      180_000,
    );
    return waitForRun(h.crossdock.engine, runId, ['waiting', 'failed', 'completed'], 60_000);
  }

  before(async () => {
    h = await packHarness({ clock });
    vendorId = (await h.odoo.db.call(
      'res.partner',
      'create',
      [{ name: 'Nordic Paper AB', is_company: true, supplier_rank: 1 }],
      {},
      2,
    )) as number;
  });
  after(() => h?.close());

  test('a new account holds payments; two approvers with valid codes trust it; reported twice, asked once', async () => {
    const bankId = (await h.odoo.db.call(
      'res.partner.bank',
      'create',
      [{ partner_id: vendorId, acc_number: 'NL91 ABNA 0417 1643 00' }],
      {},
      CLERK_UID,
    )) as number;
    const waiting = await waitingRun(bankId);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    assert.ok(
      (await h.chatter('res.partner', vendorId)).some((m) =>
        m.startsWith('Payments held: bank account NL91 ABNA 0417 1643 00'),
      ),
      "the vendor's chatter says its payments are held",
    );
    // Odoo's webhook for the change delivered twice more, and the poller's pass: one run, one request.
    const hint = h.odoo.webhooks.find(
      (w) => w.model === 'res.partner.bank' && w.recordId === bankId,
    );
    assert.ok(hint, 'Odoo sent its webhook for the new account');
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(
        `${h.instance.url}${h.crossdock.odoo!.ingestion.webhookPath('odoo', 'res.partner.bank.untrusted')}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(hint.body),
        },
      );
      assert.equal(answer.status, 200);
    }
    await h.crossdock.odoo!.ingestion.pollAll();
    assert.deepEqual(await runsFor(bankId), [waiting.id]);
    const request = await h.pendingRequestFor(waiting.id);
    assert.equal(request.level, 'finance');
    assert.equal(
      (await h.crossdock.services.approvals.list({ workflow: 'vendor-bank-change' })).approvals
        .length,
      1,
    );
    const view = await h.crossdock.services.approvals.show(request.id);
    assert.equal(view.level.stepUp, true);
    assert.equal(view.requester, `odoo:${CLERK_UID}`);

    await assert.rejects(decide(request.id, FIONA, 'approve', '123456'), {
      code: 'APPROVAL_STEP_UP_NOT_ENROLLED',
    });
    await enrol(FIONA);
    await assert.rejects(decide(request.id, FIONA, 'approve'), {
      code: 'APPROVAL_STEP_UP_REQUIRED',
    });
    clock.advance(STEP_MS);
    const afterFinance = await decide(request.id, FIONA, 'approve', code(FIONA));
    assert.equal(afterFinance.level.name, 'director');
    assert.equal((await account(bankId)).allow_out_payment, false, 'one approval is not enough');

    await enrol(DORA);
    clock.advance(STEP_MS);
    await decide(request.id, DORA, 'approve', code(DORA));
    const done = await waitForRun(h.crossdock.engine, waiting.id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal((await account(bankId)).allow_out_payment, true);
    assert.ok(
      (await h.chatter('res.partner', vendorId)).some((m) =>
        /approved by two people with a second factor/.test(m),
      ),
    );
    // Odoo's webhook and the poller both report the account; Crossdock's own trusting write
    // is reported too. One run, one request.
  });

  test('a changed number is held again; a rejection keeps it untrusted and opens a case for finance', async () => {
    const bankId = (await h.odoo.db.call(
      'res.partner.bank',
      'search',
      [[['partner_id', '=', vendorId]]],
      {},
      2,
    )) as number[];
    // As Odoo requires for a trusted account: the trust is withdrawn in the same write.
    await h.odoo.db.call(
      'res.partner.bank',
      'write',
      [bankId, { acc_number: 'DE89 3704 0044 0532 0130 00', allow_out_payment: false }],
      {},
      CLERK_UID,
    );
    const waiting = await waitingRun(bankId[0]!, 1);
    assert.equal(waiting.status, 'waiting', JSON.stringify(waiting.error));
    const request = await h.pendingRequestFor(waiting.id);
    clock.advance(STEP_MS);
    await decide(request.id, FIONA, 'reject', code(FIONA));
    const done = await waitForRun(h.crossdock.engine, waiting.id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal((await account(bankId[0]!)).allow_out_payment, false);
    const { cases } = await h.crossdock.services.exceptions.list({
      workflowId: 'vendor-bank-change',
      errorCode: 'VENDOR_BANK_REJECTED',
    });
    assert.equal(cases.length, 1);
    assert.match(cases[0]!.title, /Nordic Paper AB: DE89 3704 0044 0532 0130 00/);
    assert.ok(
      (await h.chatter('res.partner', vendorId)).some((m) => /was rejected in Crossdock/.test(m)),
    );
  });
});
