import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import { eventually, packHarness, type PackHarness } from './support.ts';

/**
 * A carrier's exception e-mail end to end on the simulators: sent over SMTP (a real client,
 * nodemailer) to the `carriers` mailbox, its tracking number, reason and new date read by
 * ai.extract (the rules: the demo has no AI provider), it becomes the `shipment.delayed`
 * event the dispatch pack's shipment-tracking takes, which opens the shipment case for
 * customer service. An e-mail naming two consignments waits for a person instead.
 */
describe("carriers' exception e-mails, end to end", () => {
  let h: PackHarness;
  let transport: Transporter;
  before(async () => {
    h = await packHarness();
    transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.crossdock.mailIntakePort()!,
      secure: false,
      ignoreTLS: true,
    });
  });
  after(async () => {
    transport?.close();
    await h?.close();
  });

  /** An order released and dispatched: its delivery and the carrier's tracking number. */
  async function shipped(customer: string, product: string) {
    const order = await h.placeOrder(customer, [[product, 1]]);
    const dispatch = await h.runFor('dispatch', order.id, ['completed', 'failed']);
    assert.equal(dispatch.status, 'completed', JSON.stringify(dispatch.error));
    const [picking] = await h.rpc<{ id: number; name: string; carrier_tracking_ref: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', order.id]]],
      { fields: ['name', 'carrier_tracking_ref'] },
    );
    assert.ok(picking?.carrier_tracking_ref, 'booked with a tracking number');
    return picking;
  }

  const caseFor = async (pickingId: number) => {
    const { cases } = await h.crossdock.services.exceptions.list({
      status: 'open',
      workflowId: 'shipment-tracking',
    });
    return cases.find(
      (c) => c.subject?.model === 'stock.picking' && Number(c.subject.id) === pickingId,
    );
  };

  test("a carrier's delay e-mail over SMTP opens the shipment case with the reason it gives", async () => {
    const picking = await shipped('Milano', 'Ergonomic Office Chair');
    const sent = await transport.sendMail({
      from: 'SwiftPost Operations <ops@swiftpost.test>',
      to: 'exceptions@demo.crossdock.test',
      subject: `Delivery exception, tracking ${picking.carrier_tracking_ref}`,
      messageId: `<exc-${picking.carrier_tracking_ref}@swiftpost.test>`,
      text: [
        'Dear shipper,',
        `the consignment with tracking number ${picking.carrier_tracking_ref} is delayed due to a road closure at the Brenner pass.`,
        'It is now expected on 2026-12-10.',
        '',
        'SwiftPost Operations',
      ].join('\n'),
    });
    assert.match(sent.response ?? '', /^250/);
    const opened = await eventually('a shipment case', () => caseFor(picking.id), 60_000);
    assert.equal(opened.owner.team, 'customer-service');
    assert.match(opened.title, /delayed: a road closure at the Brenner pass/);
    const detail = await h.crossdock.services.exceptions.show(opened.id);
    assert.equal(detail.details?.carrier, 'swiftpost.test');
    assert.equal(detail.details?.tracking_ref, picking.carrier_tracking_ref);
  });

  test('an e-mail naming two consignments waits for a person; the override opens the case', async () => {
    const picking = await shipped('Nordhafen', 'Archive Box');
    const other = `${picking.carrier_tracking_ref.slice(0, -1)}0`;
    const messageId = `two-${picking.carrier_tracking_ref}@swiftpost.test`;
    await transport.sendMail({
      from: 'SwiftPost Operations <ops@swiftpost.test>',
      to: 'exceptions@demo.crossdock.test',
      subject: 'Delays in the north',
      messageId: `<${messageId}>`,
      text: `Consignment ${picking.carrier_tracking_ref} and consignment ${other} are held because of the storm.`,
    });
    const review = await eventually(
      'a pending extraction',
      async () =>
        (
          await h.crossdock.services.ai.list({ use: 'mail_references', reviewStatus: 'pending' })
        ).find((r) => JSON.stringify(r.prompt).includes('Delays in the north')),
      60_000,
    );
    assert.equal(await caseFor(picking.id), undefined, 'no case before a person decided');
    await h.crossdock.services.ai.decide(
      review.id,
      {
        decision: 'override',
        values: { tracking_number: picking.carrier_tracking_ref },
        reason: 'the other consignment is not ours',
      },
      { actor: 'dirk.dispatch@demo.crossdock.test', requestId: null },
    );
    const opened = await eventually('a shipment case', () => caseFor(picking.id), 60_000);
    assert.match(opened.title, /exception: the storm/);
  });
});
