/**
 * Crossdock's SMTP endpoint on the store under test, with a real SMTP client (nodemailer) on
 * 127.0.0.1: a message is an event (and its attachments rows) before the 250; a recipient
 * of no mailbox is refused at RCPT TO (550), a message over the limit at DATA (552), a
 * sender outside the allow-list at connect (554); an attachment over its limit is named but
 * not kept; and a store that cannot take the message answers 451, so the sender retries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  ipAllowed,
  parseMail,
  readAttachment,
  startMailIntake,
  type MailIntake,
  type MailIntakeSettings,
} from '../../src/connectors/mail/index.ts';
import type { Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const SETTINGS: MailIntakeSettings = {
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 64 * 1024,
  maxAttachmentBytes: 1024,
  allowIps: ['127.0.0.1', '::1'],
  mailboxes: [
    { name: 'suppliers', recipients: ['delays@crossdock.test'] },
    { name: 'carriers', recipients: ['@tracking.crossdock.test'] },
  ],
};

async function open(t: TestStore, engine: Engine, settings: Partial<MailIntakeSettings> = {}) {
  return startMailIntake(
    { ...SETTINGS, ...settings },
    {
      db: t.store.db,
      now: () => new Date('2026-03-02T09:00:00Z'),
      logger: silentLogger(),
      accept: (event) => engine.accept(event, 'mail'),
    },
  );
}

const send = (port: number, message: SendMailOptions) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    .sendMail(message);

describe('the SMTP endpoint', () => {
  let t: TestStore;
  let engine: Engine;
  let intake: MailIntake;
  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, []);
    intake = await open(t, engine);
  });
  after(async () => {
    await intake?.close();
    await t?.dispose().catch(() => undefined);
  });

  test('a message is one event per mailbox, keyed by its Message-ID, with its attachments stored', async () => {
    const big = Buffer.alloc(2048, 7);
    const info = await send(intake.port, {
      from: 'Carrier Desk <desk@carrier.test>',
      to: ['exceptions@tracking.crossdock.test', 'delays@crossdock.test'],
      subject: 'Sendung =?verzögert?',
      messageId: '<m-1@carrier.test>',
      text: 'Consignment 1Z999AA10123456784 is delayed: new date 2026-03-09.',
      attachments: [
        { filename: 'pod.txt', content: 'signed' },
        { filename: 'photo.bin', content: big },
      ],
    });
    assert.match(info.response ?? '', /^250/);
    const events = await t.store.db
      .selectFrom('events')
      .select(['source', 'type', 'dedupe_key', 'payload'])
      .where('dedupe_key', '=', 'm-1@carrier.test')
      .orderBy('source')
      .execute();
    assert.deepEqual(
      events.map((e) => e.source),
      ['mail.carriers', 'mail.suppliers'],
    );
    const payload = events[0]!.payload as any;
    assert.equal(events[0]!.type, 'mail.received');
    assert.equal(payload.subject, 'Sendung =?verzögert?');
    assert.deepEqual(payload.from, { name: 'Carrier Desk', address: 'desk@carrier.test' });
    assert.deepEqual(payload.to, ['exceptions@tracking.crossdock.test']);
    assert.match(payload.text, /new date 2026-03-09/);
    const [small, large] = payload.attachments;
    assert.deepEqual(
      [small.filename, small.kept, large.filename, large.kept, large.size],
      ['pod.txt', true, 'photo.bin', false, 2048],
    );
    assert.equal((await readAttachment(t.store.db, small.id))!.content!.toString(), 'signed');
    assert.equal((await readAttachment(t.store.db, large.id))!.content, null);
  });

  test('a recipient of no mailbox is refused at RCPT TO; a message over the limit at DATA', async () => {
    await assert.rejects(
      send(intake.port, { from: 'x@y.test', to: 'someone@elsewhere.test', text: 'relay me' }),
      (e: any) => e.responseCode === 550,
    );
    await assert.rejects(
      send(intake.port, {
        from: 'x@y.test',
        to: 'delays@crossdock.test',
        text: 'x'.repeat(80 * 1024),
      }),
      (e: any) => e.responseCode === 552,
    );
  });

  test('a sender outside the allow-list is refused', async () => {
    const closed = await open(t, engine, { allowIps: ['10.0.0.0/8'] });
    try {
      await assert.rejects(
        send(closed.port, { from: 'x@y.test', to: 'delays@crossdock.test', text: 'hello' }),
        (e: any) => e.responseCode === 554,
      );
    } finally {
      await closed.close();
    }
    assert.equal(ipAllowed(['10.0.0.0/8'], '::ffff:10.1.2.3'), true);
    assert.equal(ipAllowed(['10.0.0.0/8'], '11.0.0.1'), false);
  });

  test('a message the intake refuses as invalid (a trigger schema) is refused for good: 554', async () => {
    const strict = await openTestStore();
    const strictEngine = await engineWith(strict.store, [
      `
id: wants-tracking
trigger:
  event: mail.received
  source: mail.carriers
  schema: { type: object, required: [tracking], properties: { tracking: { type: string } } }
steps:
  - { id: noop, type: log, with: { message: x } }
`,
    ]);
    const door = await open(strict, strictEngine);
    try {
      await assert.rejects(
        send(door.port, { from: 'x@y.test', to: 'desk@tracking.crossdock.test', text: 'late' }),
        (e: any) => e.responseCode === 554 && /EVENT_/.test(e.response),
      );
    } finally {
      await door.close();
      await strict.dispose().catch(() => undefined);
    }
  });

  test('a store that cannot take the message answers 451 (try again later)', async () => {
    const broken = await openTestStore();
    const brokenEngine = await engineWith(broken.store, []);
    const door = await open(broken, brokenEngine);
    try {
      await broken.store.close();
      await assert.rejects(
        send(door.port, {
          from: 'x@y.test',
          to: 'delays@crossdock.test',
          messageId: '<lost-1@y.test>',
          text: 'P00001 late',
          attachments: [{ filename: 'a.txt', content: 'a' }],
        }),
        (e: any) => e.responseCode === 451,
      );
    } finally {
      await door.close();
      await broken.dispose().catch(() => undefined);
    }
  });
});

test('the reader: quoted-printable, base64, encoded words, RFC 2231 names, html only', () => {
  const raw = [
    'From: =?utf-8?B?SsO8cmdlbiBNw7xsbGVy?= <j@m.test>',
    'To: a@b.test',
    'Subject: =?iso-8859-1?Q?Versp=E4tung?= P00015',
    'Message-ID: <abc@m.test>',
    'Date: Mon, 2 Mar 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: multipart/alternative; boundary=b2',
    '',
    '--b2',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>ignored when plain exists</p>',
    '--b2',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Neuer Liefertermin: 20.03.2026 =E2=80=93 Gr=C3=BC=',
    '=C3=9Fe',
    '--b2--',
    '--b1',
    'Content-Type: application/pdf',
    "Content-Disposition: attachment; filename*=utf-8''Lieferplan%20M%C3%A4rz.pdf",
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
  const mail = parseMail(Buffer.from(raw, 'latin1'));
  assert.deepEqual(mail.from, { name: 'Jürgen Müller', address: 'j@m.test' });
  assert.equal(mail.subject, 'Verspätung P00015');
  assert.equal(mail.messageId, 'abc@m.test');
  assert.equal(mail.date, '2026-03-02T09:00:00.000Z');
  assert.equal(mail.text, 'Neuer Liefertermin: 20.03.2026 – Grüße');
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0]!.filename, 'Lieferplan März.pdf');
  assert.equal(mail.attachments[0]!.content.toString(), '%PDF');
  const html = parseMail(
    Buffer.from('Content-Type: text/html\r\n\r\n<div>New date<br>2026-04-01 &amp; more</div>'),
  );
  assert.equal(html.text, 'New date\n2026-04-01 & more');
});
