import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/engine/index.ts';
import type { Crossdock } from '../../src/main.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { waitForRun } from '../support/engine.ts';
import { mailingInstance, SmtpSink, type MailingInstance } from './support.ts';

const CREDIT = `
id: credit-release
trigger: { event: credit.review }
steps:
  - id: approve
    type: approval
    with:
      subject: { model: sale.order, id: "= event.payload.id", name: "= event.payload.name" }
      summary: "= 'Credit limit exceeded on ' & event.payload.name & ' <b>by 12%</b>'"
      levels:
        - { name: credit, approvers: { group: credit-control }, sla_hours: 4, remind_before_hours: 1 }
  - id: done
    type: transform
    with: { decision: "= steps.approve.output.decision" }
`;

/**
 * Through the composition root (createCrossdock): an `approval` step's request becomes one
 * e-mail per approver, queued in the approval's transaction, delivered by the instance's
 * dispatcher to a local SMTP server, with one-time links that open the API's page.
 */
for (const publicUrl of [null, 'https://crossdock.acme.example/'] as const)
  approvalEmails(publicUrl);

/** With CROSSDOCK_PUBLIC_URL the links point there (a proxy in front forwards to the API); without it, at the API's own address. */
function approvalEmails(publicUrl: string | null): void {
  describe(`approval notices by e-mail, wired by createCrossdock (links ${publicUrl ? 'at CROSSDOCK_PUBLIC_URL' : 'at the listen address'})`, () => {
    let smtp: SmtpSink;
    let x: MailingInstance;
    let crossdock: Crossdock;
    let base: string;
    const clock = new ManualClock('2026-06-01T08:00:00Z');

    before(async () => {
      smtp = await new SmtpSink().listen();
      x = await mailingInstance(
        smtp,
        {
          CROSSDOCK_NOTIFY_POLL_INTERVAL_MS: '600000', // deliveries below come from wake-ups, not the poll
          ...(publicUrl ? { CROSSDOCK_PUBLIC_URL: publicUrl } : {}),
        },
        { clock },
      );
      ({ crossdock, base } = x);
      const loaded = parseWorkflow(CREDIT, 'credit.yaml', crossdock.engine.steps);
      assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
      await crossdock.engine.installWorkflows(loaded.workflows);
      for (const email of ['ana@acme.test', 'bo@acme.test']) {
        const user = await crossdock.services.users.create({
          email,
          role: 'approver',
          ...(email === 'ana@acme.test' ? { name: 'Ana Lima' } : {}),
        });
        await crossdock.services.approvals.directory.setProfile(
          user.id,
          { groups: ['credit-control'] },
          clock.now(),
        );
      }
      crossdock.engine.startWorkers(1);
    });
    after(async () => {
      await x?.close();
      await smtp.close();
    });

    test('each approver gets one e-mail whose link opens the decision page; a reminder follows; the link decides once', async () => {
      assert.equal(
        crossdock.notifications.dispatcher.running,
        true,
        'the dispatcher runs with the instance',
      );
      const { runIds } = await crossdock.engine.accept({
        source: 'odoo',
        type: 'credit.review',
        key: 'so-77',
        payload: { id: 77, name: 'S00077' },
      });
      const runId = runIds[0]!;
      await waitForRun(crossdock.engine, runId, ['waiting']);
      const mails = await smtp.waitFor(2);
      assert.deepEqual(
        mails.map((m) => m.envelopeTo[0]).sort(),
        ['ana@acme.test', 'bo@acme.test'],
        'one e-mail per approver',
      );
      const ana = mails.find((m) => m.envelopeTo[0] === 'ana@acme.test')!;
      assert.equal(ana.subject, 'Approval needed: sale.order S00077');
      assert.match(ana.text, /^Hello Ana Lima,/);
      assert.match(ana.text, /Credit limit exceeded on S00077 <b>by 12%<\/b>/);
      assert.match(ana.text, /Decide by: 2026-06-01T12:00:00\.000Z/);
      assert.match(
        ana.html!,
        /Credit limit exceeded on S00077 &lt;b&gt;by 12%&lt;\/b&gt;/,
        'the html part escapes the summary',
      );
      const linkBase = publicUrl ? publicUrl.replace(/\/$/, '') : base;
      const approve = new RegExp(`Approve: (${linkBase.replace(/[.]/g, '\\.')}/approve/\\S+)`).exec(
        ana.text,
      )?.[1];
      assert.ok(approve, `the e-mail carries an approve link to ${linkBase}: ${ana.text}`);
      assert.ok(
        ana.html!.includes(`href="${approve.replaceAll('&', '&amp;')}"`),
        'the html part links the same place',
      );

      // What the proxy at the public address forwards: the same path on the API.
      const page = await fetch(`${base}${new URL(approve).pathname}${new URL(approve).search}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Credit limit exceeded on S00077 &lt;b&gt;by 12%/);

      clock.advance(3 * 3_600_000 + 60_000); // past the reminder (1 h before the 4 h deadline)
      crossdock.engine.wake();
      const withReminders = await smtp.waitFor(4);
      const reminders = withReminders.slice(2);
      assert.deepEqual(reminders.map((m) => m.envelopeTo[0]).sort(), [
        'ana@acme.test',
        'bo@acme.test',
      ]);
      assert.ok(
        reminders.every(
          (m) =>
            m.subject ===
            'Reminder: approval needed by 2026-06-01T12:00:00.000Z: sale.order S00077',
        ),
        reminders.map((m) => m.subject).join(' | '),
      );

      const token = new URL(approve).pathname.split('/').pop()!;
      const decided = await fetch(`${base}/api/v1/approval-links/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approve' }),
      });
      assert.equal(decided.status, 200, await decided.clone().text());
      const run = await waitForRun(crossdock.engine, runId);
      assert.deepEqual(run.output, { decision: 'approved' });

      const outbox = await crossdock.notifications.list({ dedupeKeyPrefix: 'approval:' });
      assert.equal(outbox.length, 4, 'two requests and two reminders, each queued once');
      assert.deepEqual(outbox.map((o) => o.template).sort(), [
        'approval-reminder',
        'approval-reminder',
        'approval-request',
        'approval-request',
      ]);
      assert.equal(new Set(smtp.mails.map((m) => m.messageId)).size, 4);
    });
  });
}
