import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { readAttachment } from '../../src/connectors/mail/index.ts';
import type { CaseDetail } from '../../src/exceptions/index.ts';
import { ImapSimulator } from '../../sim/mail/index.ts';
import { eventually, HOUR, JumpingClock, packHarness, type PackHarness } from './support.ts';

/**
 * Inbound e-mail end to end on the simulators: a supplier's delay e-mail sent over SMTP (a
 * real client, nodemailer) to Crossdock's SMTP endpoint, or delivered to a mailbox Crossdock
 * polls over IMAP (sim/mail), becomes a `mail.received` event,
 * the extraction (the deterministic rules: the demo has no AI provider) reads its purchase
 * order and new date, and the supplier-delay pack opens its case with that order and date;
 * an unsure extraction waits for a person, whose decision continues it.
 */
const DAY = 24 * HOUR;
const IMAP_USER = 'supplier-delays@demo.crossdock.test';
const IMAP_PASSWORD = 'imap-demo-Passw0rd-41c7';

describe('supplier delay by e-mail, end to end', () => {
  let h: PackHarness;
  const clock = new JumpingClock();
  let vendor = 0;
  let transport: Transporter;
  let imap: ImapSimulator;
  before(async () => {
    imap = await ImapSimulator.start({ user: IMAP_USER, password: IMAP_PASSWORD });
    const imapConfig = join(mkdtempSync(join(tmpdir(), 'crossdock-imap-')), 'imap.yaml');
    writeFileSync(
      imapConfig,
      [
        'mailboxes:',
        '  - name: suppliers',
        '    host: 127.0.0.1',
        `    port: ${imap.port}`,
        '    tls: none',
        `    user: ${IMAP_USER}`,
        '    password_secret: imap.suppliers',
        '    poll_interval_ms: 3600000',
      ].join('\n'),
    );
    h = await packHarness({ clock, env: { CROSSDOCK_MAIL_IMAP_CONFIG: imapConfig } });
    // The mailbox is configured before its password is set, as an operator would: a poll
    // before this fails (IMAP_AUTH_FAILED) and the good poll below resolves its case.
    await h.crossdock.services.secrets.put('imap.suppliers', IMAP_PASSWORD);
    vendor = (await h.odoo.db.call('res.partner', 'create', [
      { name: 'Holzwerk Nord GmbH', is_company: true, email: 'orders@holzwerk-nord.test' },
    ])) as number;
    const port = h.crossdock.mailIntakePort();
    assert.ok(port, 'the demo opens the SMTP endpoint');
    transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
    });
  });
  after(async () => {
    transport?.close();
    await h?.close();
    await imap?.close();
  });

  const odooDate = (days: number) =>
    new Date(clock.now().getTime() + days * DAY).toISOString().slice(0, 19).replace('T', ' ');

  /** A purchase order confirmed in Odoo for a new product, with its receipt. */
  async function purchase(plannedInDays: number) {
    const template = (await h.odoo.db.call('product.template', 'create', [
      { name: `Oak Panel ${Math.random()}`, type: 'product', list_price: 90, standard_price: 50 },
    ])) as number;
    const product = (await h.odoo.db.call('product.product', 'create', [
      { product_tmpl_id: template, standard_price: 50 },
    ])) as number;
    const order = await h.rpc<number>('purchase.order', 'create', [
      {
        partner_id: vendor,
        order_line: [
          [
            0,
            0,
            {
              product_id: product,
              product_qty: 10,
              price_unit: 50,
              date_planned: odooDate(plannedInDays),
            },
          ],
        ],
      },
    ]);
    await h.rpc('purchase.order', 'button_confirm', [[order]]);
    const [po] = await h.rpc<{ name: string; picking_ids: number[] }[]>(
      'purchase.order',
      'read',
      [[order]],
      {
        fields: ['name', 'picking_ids'],
      },
    );
    return { id: order, name: po!.name, receipt: po!.picking_ids[0]! };
  }

  async function caseOf(receipt: number): Promise<CaseDetail | undefined> {
    const { cases } = await h.crossdock.services.exceptions.list({ workflowId: 'supplier-delay' });
    const mine = cases.find(
      (c) => c.subject?.model === 'stock.picking' && Number(c.subject.id) === receipt,
    );
    return mine ? h.crossdock.services.exceptions.show(mine.id) : undefined;
  }

  /** Waits for the supplier-delay case of the order's receipt, and checks its PO and new date. */
  async function caseWithDate(po: { name: string; receipt: number }, date: string) {
    const opened = await eventually(
      `a supplier-delay case for ${po.name}`,
      () => caseOf(po.receipt),
      60_000,
    );
    assert.equal(opened.details!.purchase_order, po.name);
    assert.equal(opened.details!.expected, `${date} 12:00:00`);
    return opened;
  }

  const mailEvents = (messageId: string) =>
    sql<{
      id: string;
      payload: any;
    }>`SELECT id::text AS id, payload FROM events WHERE source = 'mail.suppliers' AND dedupe_key = ${messageId}`
      .execute(h.crossdock.store.db)
      .then((r) => r.rows);

  const runsOf = (workflow: string, messageId: string) =>
    sql<{
      id: string;
      status: string;
    }>`SELECT r.id::text AS id, r.status FROM runs r JOIN events e ON e.id = r.event_id WHERE r.workflow_id = ${workflow} AND e.dedupe_key = ${messageId}`
      .execute(h.crossdock.store.db)
      .then((r) => r.rows);

  test("a supplier's delay e-mail over SMTP opens the supplier-delay case with its PO and new date; sent twice it is one event; its attachment is kept", async () => {
    const po = await purchase(3);
    const newDate = odooDate(12).slice(0, 10);
    const [y, m, d] = newDate.split('-');
    const messageId = `<delay-${po.name}@holzwerk-nord.test>`;
    const pdf = Buffer.from('%PDF-1.4 revised delivery schedule\n');
    const message = {
      from: 'Jane Whitfield <jane.whitfield@holzwerk-nord.test>',
      to: 'delays@demo.crossdock.test',
      subject: `Delivery delay for your order ${po.name}`,
      messageId,
      text: [
        'Dear buyer,',
        `we are sorry: the goods of your purchase order ${po.name} are delayed due to a kiln breakdown.`,
        `New delivery date: ${d}.${m}.${y}.`,
        '',
        'Jane Whitfield, +44 20 7946 0958',
      ].join('\n'),
      attachments: [{ filename: 'schedule.pdf', content: pdf, contentType: 'application/pdf' }],
    };
    const sent = await transport.sendMail(message);
    assert.match(sent.response ?? '', /^250/);

    await caseWithDate(po, newDate);
    assert.ok(
      (await h.chatter('purchase.order', po.id)).some((n) =>
        n.includes('Delay reported by mail.suppliers (a kiln breakdown)'),
      ),
    );

    const again = await transport.sendMail(message);
    assert.match(again.response ?? '', /^250/);
    const events = await mailEvents(messageId.slice(1, -1));
    assert.equal(events.length, 1, 'the resent message is the same event');
    assert.equal((await runsOf('supplier-delay-mail', messageId.slice(1, -1))).length, 1);

    const [attachment] = events[0]!.payload.attachments as {
      id: string;
      filename: string;
      kept: boolean;
    }[];
    assert.equal(attachment!.filename, 'schedule.pdf');
    assert.equal(attachment!.kept, true);
    const stored = await readAttachment(h.crossdock.store.db, attachment!.id);
    assert.deepEqual(stored!.content, pdf);
    assert.equal(stored!.contentType, 'application/pdf');
  });

  test('an unsure extraction waits for a person; overriding it with the right date continues to the case', async () => {
    const po = await purchase(2);
    const messageId = `unsure-${po.name}@holzwerk-nord.test`;
    const later = odooDate(15).slice(0, 10);
    await transport.sendMail({
      from: 'Holzwerk Nord <dispatch@holzwerk-nord.test>',
      to: 'delays@demo.crossdock.test',
      subject: `About ${po.name}`,
      messageId: `<${messageId}>`,
      text: `Hello, regarding ${po.name}: we could ship part on ${odooDate(8).slice(0, 10)} or everything on ${later}. Please advise.`,
    });
    const [run] = await eventually(
      'the mail run waits for a review',
      async () => {
        const runs = await runsOf('supplier-delay-mail', messageId);
        return runs[0]?.status === 'waiting' ? runs : undefined;
      },
      60_000,
    );
    const pending = await h.crossdock.services.ai.list({
      use: 'mail_references',
      reviewStatus: 'pending',
    });
    const mine = pending.find((r) => r.runId === run!.id);
    assert.ok(mine, 'a pending review for the e-mail');
    assert.equal(mine.outcome, 'review');
    assert.equal(await caseOf(po.receipt), undefined, 'no case before a person decided');

    await h.crossdock.services.ai.decide(
      mine.id,
      {
        decision: 'override',
        values: { new_date: later },
        reason: 'the supplier confirmed full delivery by phone',
      },
      { actor: 'bea.buyer@demo.crossdock.test', requestId: null },
    );
    await caseWithDate(po, later);
  });

  test("a supplier's delay e-mail delivered to the polled IMAP mailbox opens the supplier-delay case with its PO and new date, once", async () => {
    const po = await purchase(4);
    const newDate = odooDate(11).slice(0, 10);
    const messageId = `imap-delay-${po.name}@holzwerk-nord.test`;
    imap.append(
      'INBOX',
      [
        'From: Jane Whitfield <jane.whitfield@holzwerk-nord.test>',
        `To: ${IMAP_USER}`,
        `Subject: Revised delivery for ${po.name}`,
        `Message-ID: <${messageId}>`,
        'Date: Mon, 02 Mar 2026 09:00:00 +0000',
        '',
        `Dear buyer, the goods of purchase order ${po.name} are delayed due to a late raw material delivery.`,
        `New delivery date: ${newDate}.`,
        '',
      ].join('\n'),
    );
    const polled = await h.crossdock.imap!.pollNow('suppliers');
    assert.equal(polled.status, 'polled', JSON.stringify(polled));
    await caseWithDate(po, newDate);
    assert.ok(imap.folders.get('INBOX')!.messages.at(-1)!.flags.has('\\Seen'));
    const failing = (await h.crossdock.services.exceptions.list({})).cases.filter(
      (c) => c.subject?.model === 'mailbox',
    );
    assert.ok(
      failing.every((c) => c.status === 'resolved'),
      'a case of a first poll made before the password was set is resolved by the good one',
    );

    await h.crossdock.imap!.pollNow('suppliers');
    assert.equal((await mailEvents(messageId)).length, 1);
    assert.equal((await runsOf('supplier-delay-mail', messageId)).length, 1);
  });
});
