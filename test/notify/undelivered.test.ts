import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { undeliveredKey } from '../../src/exceptions/index.ts';
import type { Crossdock } from '../../src/main.ts';
import { mailingInstance, SmtpSink, type MailingInstance } from './support.ts';

/**
 * Through the composition root: a message the outbox gives up on becomes an exception case
 * that the operations team owns; sent again after the cause is fixed, it goes out and its
 * case resolves. The SMTP server is real (a local smtp-server refusing one mailbox).
 */
describe('undelivered notifications in the exception queue', () => {
  let smtp: SmtpSink;
  let x: MailingInstance;
  let crossdock: Crossdock;
  let base: string;
  const tokens: Record<string, string> = {};

  /** Looks again every 20 ms (at most 10 s) until `find` gives a value: the dispatcher and the sweep run on their own. */
  async function until<T>(what: string, find: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = await find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`);
      await new Promise((r) => setTimeout(r, 20)); // polling a condition, bounded by the deadline
    }
  }
  const caseOf = (notificationId: string) =>
    sql<{
      id: string;
      status: string;
      type: string;
      severity: string;
      owner_team: string;
      error_code: string;
      title: string;
      subject: { model: string; id: string };
      reason_code: string | null;
    }>`
      SELECT * FROM exception_cases WHERE open_key = ${undeliveredKey(notificationId)}`
      .execute(crossdock.store.db)
      .then((r) => r.rows);
  const status = (id: string) =>
    sql<{ status: string }>`SELECT status FROM notifications WHERE id = ${id}`
      .execute(crossdock.store.db)
      .then((r) => r.rows[0]!.status);
  const call = async (method: string, path: string, role: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[role]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  before(async () => {
    smtp = await new SmtpSink({ reject: /^nobody@/ }).listen();
    x = await mailingInstance(smtp);
    ({ crossdock, base } = x);
    for (const role of ['operator', 'viewer'] as const) {
      const user = await crossdock.services.users.create({ email: `${role}@acme.test`, role });
      tokens[role] = (
        await crossdock.services.tokens.create({ id: user.id, role }, { name: 'test' }, null)
      ).token;
    }
  });
  after(async () => {
    await x?.close();
    await smtp.close();
  });

  test('a refused e-mail opens one case for operations; sent again once the mailbox is fixed, it goes out and the case resolves', async () => {
    const { id } = await crossdock.notifications.enqueue({
      dedupeKey: 'delay:WH/OUT/00042',
      channel: 'email',
      to: ['nobody@acme.test'],
      template: 'generic',
      data: { subject: 'Your delivery is delayed', body: 'Sorry.' },
    });
    const opened = await until('case', async () => (await caseOf(id))[0]);
    assert.equal(await status(id), 'failed');
    assert.deepEqual(
      {
        type: opened.type,
        severity: opened.severity,
        owner: opened.owner_team,
        code: opened.error_code,
        status: opened.status,
        subject: opened.subject.model,
      },
      {
        type: 'raised',
        severity: 'medium',
        owner: 'operations',
        code: 'NOTIFY_SMTP_REJECTED',
        status: 'open',
        subject: 'notification',
      },
    );
    assert.equal(
      opened.title,
      'E-mail "Your delivery is delayed" to nobody@acme.test not delivered (refused)',
    );
    assert.deepEqual(
      await crossdock.undelivered.sweep(),
      { opened: 0, resolved: 0 },
      'sweeping again opens nothing new',
    );
    assert.equal((await caseOf(id)).length, 1);

    const failed = await call('GET', '/api/v1/notifications?status=failed', 'viewer');
    assert.equal(failed.status, 200);
    assert.deepEqual(
      failed.body.notifications.map((n: { id: string; to: string[]; lastErrorCode: string }) => [
        n.id,
        n.to,
        n.lastErrorCode,
      ]),
      [[id, ['nobody@acme.test'], 'NOTIFY_SMTP_REJECTED']],
    );
    assert.equal(
      'body_text' in failed.body.notifications[0] || 'bodyText' in failed.body.notifications[0],
      false,
      'no message bodies over the API',
    );
    assert.equal(
      (await call('POST', `/api/v1/notifications/${id}/resend`, 'viewer', {})).status,
      403,
    );

    smtp.reject = undefined; // the customer's mailbox works again
    const before = smtp.mails.length;
    const resent = await call('POST', `/api/v1/notifications/${id}/resend`, 'operator', {
      reason: 'mailbox fixed',
    });
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    assert.equal(resent.body.status, 'pending');
    await smtp.waitFor(before + 1);
    assert.deepEqual(smtp.mails.at(-1)!.envelopeTo, ['nobody@acme.test']);
    const closed = await until('resolved case', async () =>
      (await caseOf(id)).find((c) => c.status === 'resolved'),
    );
    assert.equal(closed.reason_code, 'fixed_by_retry');
    const again = await call('POST', `/api/v1/notifications/${id}/resend`, 'operator', {});
    assert.deepEqual([again.status, again.body.error.code], [409, 'NOTIFICATION_NOT_RESENDABLE']);
    assert.deepEqual(
      [(await call('POST', '/api/v1/notifications/999999/resend', 'operator', {})).status],
      [404],
    );
    const audit = await crossdock.services.audit.list({ action: 'notification' });
    assert.deepEqual(
      audit.map((e) => [e.action, e.target]),
      [['notification.resend', `notification:${id}`]],
    );
    smtp.reject = /^nobody@/;
  });

  test('an undelivered approval notice is a high-severity case', async () => {
    const { id } = await crossdock.notifications.enqueue({
      dedupeKey: 'approval:77:level:0:request:0:user:9',
      channel: 'email',
      to: ['nobody@acme.test'],
      template: 'generic',
      data: { subject: 'Approval needed', body: 'Please decide.' },
    });
    const opened = await until('case', async () => (await caseOf(id))[0]);
    assert.equal(opened.severity, 'high');
  });

  test('a message given up on while no sweep ran (the process was killed in between) gets its case at the next sweep', async () => {
    const inserted = await sql<{
      id: string;
    }>`INSERT INTO notifications (dedupe_key, channel, recipients, subject, body_text, status, attempts, next_attempt_at, last_error_code, last_error, message_id, created_at)
      VALUES ('killed-between', 'email', '["ops@acme.test"]'::jsonb, 'Stock alert', 'x', 'dead', 8, now(), 'NOTIFY_SMTP_UNAVAILABLE', 'gave up after 8 attempts: connection refused', '<m@acme.test>', now())
      RETURNING id`.execute(crossdock.store.db);
    const id = String(inserted.rows[0]!.id);
    await crossdock.undelivered.settled();
    const swept = await crossdock.undelivered.sweep();
    assert.equal(swept.opened, 1);
    const [opened] = await caseOf(id);
    assert.equal(
      opened!.title,
      'E-mail "Stock alert" to ops@acme.test not delivered (gave up after 8 attempts)',
    );
    assert.equal(opened!.error_code, 'NOTIFY_SMTP_UNAVAILABLE');
  });
});
