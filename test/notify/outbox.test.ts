import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { messageIdFor, Notifications } from '../../src/notify/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { ChatSink, notifyConfig, notifyHarness, SmtpSink, type NotifyHarness } from './support.ts';

const PASSWORD = 'S3cret-smtp-pa55word';
const HOUR = 3_600_000;

describe('notification outbox: delivery, retries, refusals', () => {
  let smtp: SmtpSink;
  let chat: ChatSink;
  let h: NotifyHarness;
  const webhookUrl = () => `${chat.url}/services/T0001/B0002/hook-secret-token`;

  before(async () => {
    smtp = await new SmtpSink({
      reject: /^nobody@/,
      login: { user: 'crossdock', pass: PASSWORD },
    }).listen();
    chat = await new ChatSink().listen();
    h = await notifyHarness(
      notifyConfig({
        smtpPort: smtp.port,
        login: { user: 'crossdock', pass: PASSWORD },
        chat: { ops: webhookUrl() },
      }),
    );
  });
  after(async () => {
    await h.close();
    await smtp.close();
    await chat.close();
  });

  test('an e-mail lands in the SMTP server with a Message-ID derived from its dedupe key', async () => {
    const queued = await h.notifications.enqueue({
      dedupeKey: 'k-hello',
      channel: 'email',
      to: ['ana@acme.test'],
      template: 'generic',
      data: { subject: 'Picking WH/OUT/7 shipped', body: 'Tracking <1Z999>\nsecond line' },
    });
    assert.equal(queued.duplicate, false);
    const again = await h.notifications.enqueue({
      dedupeKey: 'k-hello',
      channel: 'email',
      to: ['ana@acme.test'],
      template: 'generic',
      data: { subject: 'other', body: 'other' },
    });
    assert.deepEqual(again, { id: queued.id, duplicate: true }, 'the same key queues nothing new');
    const before = smtp.mails.length;
    await smtp.waitFor(before + 1);
    const mail = smtp.mails.at(-1)!;
    assert.deepEqual(mail.envelopeTo, ['ana@acme.test']);
    assert.equal(mail.subject, 'Picking WH/OUT/7 shipped');
    assert.equal(mail.messageId, messageIdFor('k-hello', 'acme.test'));
    assert.match(mail.text, /Tracking <1Z999>\nsecond line/);
    assert.match(
      mail.html!,
      /Tracking &lt;1Z999&gt;<br \/>/,
      'the html part escapes data and keeps line breaks',
    );
    const row = await h.until('k-hello', (r) => r.status === 'sent'); // the mark commits after the server's 250
    assert.equal(row.attempts, 1);
    assert.match(row.provider_message_id ?? '', /^Q\d+$/);
    assert.equal(new Date(row.sent_at!).toISOString(), h.clock.now().toISOString());
    assert.equal(smtp.mails.filter((m) => m.messageId === mail.messageId).length, 1, 'sent once');
  });

  test('a recipient refused with 550 fails for good, with the reply visible and no secret in it', async () => {
    await h.notifications.enqueue({
      dedupeKey: 'k-refused',
      channel: 'email',
      to: ['nobody@acme.test'],
      inline: { subject: 'Hi', text: 'Hello' },
      data: {},
    });
    const row = await h.until('k-refused', (r) => r.status !== 'pending' && r.status !== 'sending');
    assert.equal(row.status, 'failed');
    assert.equal(row.last_error_code, 'NOTIFY_SMTP_REJECTED');
    assert.match(row.last_error!, /550/);
    assert.match(row.last_error!, /nobody@acme\.test/);
    assert.doesNotMatch(JSON.stringify(row), new RegExp(PASSWORD));
    h.clock.advance(24 * HOUR);
    assert.equal((await h.pass()).claimed, 0, 'a failed message is not tried again');
  });

  test('with one of two recipients refused the message goes to the other, and says so', async () => {
    const before = smtp.mails.length;
    await h.notifications.enqueue({
      dedupeKey: 'k-partial',
      channel: 'email',
      to: ['ana@acme.test', 'nobody@acme.test'],
      inline: { subject: 'Hi', text: 'Hello' },
      data: {},
    });
    await smtp.waitFor(before + 1);
    const row = await h.until('k-partial', (r) => r.status === 'sent');
    assert.match(row.last_error!, /delivered to 1 of 2; refused: nobody@acme\.test \(550/);
  });

  test('a chat webhook receives {text}; a refusal names the webhook, never its URL', async () => {
    await h.notifications.enqueue({
      dedupeKey: 'k-chat',
      channel: 'chat',
      to: ['ops'],
      inline: { subject: '', text: 'Carrier DHL is down: {{ count }} shipments waiting' },
      data: { count: 3 },
    });
    assert.equal((await h.until('k-chat', (r) => r.status === 'sent')).attempts, 1);
    assert.deepEqual(chat.posts.at(-1)!.body, { text: 'Carrier DHL is down: 3 shipments waiting' });
    assert.equal(chat.posts.at(-1)!.path, '/services/T0001/B0002/hook-secret-token');
    chat.status = 403;
    try {
      await h.notifications.enqueue({
        dedupeKey: 'k-chat-refused',
        channel: 'chat',
        to: ['ops'],
        inline: { subject: '', text: 'x' },
        data: {},
      });
      assert.equal(
        (await h.until('k-chat-refused', (r) => r.attempts > 0 && r.status !== 'sending')).status,
        'failed',
      );
    } finally {
      chat.status = 200;
    }
    const row = await h.row('k-chat-refused');
    assert.equal(row.last_error, 'Chat webhook "ops" answered 403: invalid_token');
    assert.doesNotMatch(JSON.stringify(row), /hook-secret-token/);
    await assert.rejects(
      h.notifications.enqueue({
        dedupeKey: 'k-chat-unknown',
        channel: 'chat',
        to: ['sales'],
        inline: { subject: '', text: 'x' },
        data: {},
      }),
      { code: 'NOTIFY_WEBHOOK_UNKNOWN', message: /No chat webhook "sales"; configured: ops/ },
    );
  });

  test('a message queued in a transaction exists only if the transaction commits', async () => {
    const db = h.t.store.db;
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await h.notifications.enqueue(
          {
            dedupeKey: 'k-rolled-back',
            channel: 'email',
            to: ['ana@acme.test'],
            inline: { subject: 'Hi', text: 'x' },
            data: {},
          },
          tx as never,
        );
        throw new Error('the caller fails after queueing');
      }),
      /the caller fails/,
    );
    const count = async (key: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM notifications WHERE dedupe_key = ${key}`.execute(db)
        ).rows[0]!.n,
      );
    assert.equal(await count('k-rolled-back'), 0);
    await db.transaction().execute((tx) =>
      h.notifications.enqueue(
        {
          dedupeKey: 'k-committed',
          channel: 'email',
          to: ['ana@acme.test'],
          inline: { subject: 'Hi', text: 'x' },
          data: {},
        },
        tx as never,
      ),
    );
    assert.equal(await count('k-committed'), 1);
  });

  test('templates are strict: an unknown variable is an error naming it, not an empty string', async () => {
    await assert.rejects(
      h.notifications.enqueue({
        dedupeKey: 'k-var',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Order {{ order.name }}', text: 'Total {{ order.totl }}' },
        data: { order: { name: 'S1', total: 5 } },
      }),
      (e: any) =>
        e.code === 'NOTIFY_TEMPLATE_VARIABLE_UNKNOWN' &&
        /uses "order\.totl"/.test(e.message) &&
        e.details[0].path === 'inline.text',
    );
    await assert.rejects(
      h.notifications.enqueue({
        dedupeKey: 'k-var2',
        channel: 'email',
        to: ['ana@acme.test'],
        template: 'generic',
        data: { subject: 'no body' },
      }),
      {
        code: 'NOTIFY_TEMPLATE_VARIABLE_UNKNOWN',
        message: 'Template generic (text) uses "body", which its data does not have',
      },
    );
    await assert.rejects(
      h.notifications.enqueue({
        dedupeKey: 'k-tpl',
        channel: 'email',
        to: ['ana@acme.test'],
        template: 'nope',
        data: {},
      }),
      { code: 'NOTIFY_TEMPLATE_UNKNOWN' },
    );
    assert.equal(
      (await h.notifications.list({ dedupeKeyPrefix: 'k-var' })).length,
      0,
      'nothing was queued',
    );
  });
});

describe('notification outbox: an SMTP server that is down, then up', () => {
  test('the message is retried with backoff on the clock and delivered once the server is back', async () => {
    const probe = await new SmtpSink().listen();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    const h = await notifyHarness(notifyConfig({ smtpPort: port }));
    let smtp: SmtpSink | null = null;
    try {
      await h.notifications.enqueue({
        dedupeKey: 'k-down',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Hi', text: 'x' },
        data: {},
      });
      let row = await h.until('k-down', (r) => r.attempts === 1 && r.status !== 'sending');
      assert.equal(row.status, 'pending');
      assert.equal(row.last_error_code, 'NOTIFY_SMTP_UNAVAILABLE');
      assert.match(row.last_error!, /ECONNREFUSED/);
      assert.equal(
        new Date(row.next_attempt_at).getTime() - h.clock.now().getTime(),
        27_000,
        'first retry after 30 s less jitter (random 0.5, jitter 0.2)',
      );
      assert.equal((await h.pass()).claimed, 0, 'not due before its time');
      smtp = await new SmtpSink().listen(port);
      h.clock.advance(60_000);
      row = await h.until('k-down', (r) => r.status === 'sent');
      await smtp.waitFor(1);
      assert.equal(row.attempts, 2);
      assert.equal(smtp.mails[0]!.messageId, row.message_id);
    } finally {
      await h.close();
      await smtp?.close();
    }
  });

  test('a server that stays down makes the message dead after the last attempt', async () => {
    const probe = await new SmtpSink().listen();
    const port = probe.port;
    await probe.close();
    const h = await notifyHarness(notifyConfig({ smtpPort: port }));
    try {
      await h.notifications.enqueue({
        dedupeKey: 'k-dead',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Hi', text: 'x' },
        data: {},
      });
      for (let attempt = 1; attempt <= 5; attempt++) {
        await h.until('k-dead', (r) => r.attempts === attempt && r.status !== 'sending');
        h.clock.advance(2 * HOUR);
      }
      const row = await h.row('k-dead');
      assert.equal(row.status, 'dead');
      assert.equal(row.attempts, 5);
      assert.match(
        row.last_error!,
        /^gave up after 5 attempts: SMTP server 127\.0\.0\.1:\d+ could not be reached/,
      );
    } finally {
      await h.close();
    }
  });

  test('a refused login fails with a message naming the settings, never the password', async () => {
    const smtp = await new SmtpSink({
      login: { user: 'crossdock', pass: 'the-right-one' },
    }).listen();
    const h = await notifyHarness(
      notifyConfig({ smtpPort: smtp.port, login: { user: 'crossdock', pass: PASSWORD } }),
    );
    try {
      await h.notifications.enqueue({
        dedupeKey: 'k-auth',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Hi', text: 'x' },
        data: {},
      });
      const row = await h.until('k-auth', (r) => r.attempts === 1 && r.status !== 'sending');
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error_code, 'NOTIFY_SMTP_AUTH_FAILED');
      assert.match(row.last_error!, /CROSSDOCK_SMTP_PASSWORD/);
      assert.doesNotMatch(JSON.stringify(row), new RegExp(PASSWORD));
    } finally {
      await h.close();
      await smtp.close();
    }
  });

  test('with TLS required, a server without STARTTLS gets neither the login nor the message', async () => {
    const smtp = await new SmtpSink({ login: { user: 'crossdock', pass: PASSWORD } }).listen();
    const h = await notifyHarness(
      notifyConfig({
        smtpPort: smtp.port,
        login: { user: 'crossdock', pass: PASSWORD },
        requireTls: true,
      }),
    );
    try {
      await h.notifications.enqueue({
        dedupeKey: 'k-tls',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Hi', text: 'x' },
        data: {},
      });
      const row = await h.until('k-tls', (r) => r.attempts === 1 && r.status !== 'sending');
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error_code, 'NOTIFY_SMTP_TLS_FAILED');
      assert.match(row.last_error!, /did not start TLS.*nothing was sent/);
      assert.equal(smtp.mails.length, 0);
    } finally {
      await h.close();
      await smtp.close();
    }
  });

  test('a dispatcher stuck between the send and its mark: the message is sent again once, with the same Message-ID, and the late mark changes nothing', async () => {
    const smtp = await new SmtpSink().listen();
    const config = notifyConfig({ smtpPort: smtp.port });
    const h = await notifyHarness(config);
    // A second process's dispatcher on the same database; driven by hand.
    const other = new Notifications({
      db: h.t.store.db as never,
      config,
      clock: h.clock,
      logger: silentLogger(),
      random: () => 0.5,
    });
    try {
      const release = smtp.holdNext();
      await h.notifications.enqueue({
        dedupeKey: 'k-stuck',
        channel: 'email',
        to: ['ana@acme.test'],
        inline: { subject: 'Hi', text: 'x' },
        data: {},
      });
      await smtp.waitFor(1); // the first dispatcher has sent; the server's 250 is held back
      assert.equal((await h.row('k-stuck')).status, 'sending');
      assert.equal((await other.dispatcher.runOnce()).claimed, 0, 'a live claim is not taken');
      h.clock.advance(5 * 60_000 + 1); // the claim expires, as if its process had died
      const pass = await other.dispatcher.runOnce();
      assert.equal(pass.sent, 1);
      release();
      await h.pass(); // the stuck pass has finished and tried to record its outcome
      const row = await h.row('k-stuck');
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
      assert.equal(row.provider_message_id, 'Q2', "the outcome is the second sender's");
      assert.equal(smtp.mails.length, 2);
      assert.equal(
        smtp.mails[0]!.messageId,
        smtp.mails[1]!.messageId,
        'the resend carries the same Message-ID',
      );
    } finally {
      await other.stop();
      await h.close();
      await smtp.close();
    }
  });
});
