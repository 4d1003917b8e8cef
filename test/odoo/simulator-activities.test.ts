/**
 * Marking an activity done, as Odoo 17's mail.activity.action_feedback does it
 * (MailActivity._action_done): a "<type> done" message with the feedback and the original
 * note is posted on the record (subtype Activities, carrying the activity type), and the
 * activity is deleted, or archived with its feedback when its type keeps done activities.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOdooClient, type OdooClient } from '../../src/connectors/odoo/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { profileFor } from './support/clients.ts';

describe('simulated mail.activity.action_feedback', () => {
  let sim: OdooSimulator;
  let odoo: OdooClient;
  before(async () => {
    sim = await startOdooSimulator();
    odoo = createOdooClient(profileFor(sim, 'jsonrpc'));
  });
  after(() => sim.close());

  const schedule = async (order: number, userId: number) =>
    Number(
      /\((\d+),\)/.exec(
        await odoo.call<string>('sale.order', 'activity_schedule', [[order]], {
          act_type_xmlid: 'mail.mail_activity_data_todo',
          summary: 'Approve',
          note: 'Please decide',
          user_id: userId,
        }),
      )![1],
    );

  test('the activity is done: a message with the feedback is posted on the record and the activity is gone', async () => {
    const activity = await schedule(25, 6);
    const message = await odoo.call<number>('mail.activity', 'action_feedback', [[activity]], {
      feedback: 'Approved by dora',
    });
    const [posted] = await odoo.call<Record<string, unknown>[]>(
      'mail.message',
      'read',
      [[message]],
      {
        fields: ['model', 'res_id', 'message_type', 'subtype_id', 'mail_activity_type_id', 'body'],
      },
    );
    assert.deepEqual(
      { ...posted, body: undefined },
      {
        id: message,
        model: 'sale.order',
        res_id: 25,
        message_type: 'notification',
        subtype_id: [3, 'Activities'],
        mail_activity_type_id: [4, 'To-Do'],
        body: undefined,
      },
    );
    assert.match(
      String(posted!.body),
      /To-Do done \(originally assigned to .*\): Approve.*Feedback:.*Approved by dora.*Original note:.*Please decide/s,
    );
    assert.deepEqual(
      await odoo.call('mail.activity', 'search', [[['id', '=', activity]]], {
        context: { active_test: false },
      }),
      [],
    );
    // Done is done: the activity no longer exists.
    await assert.rejects(
      odoo.call('mail.activity', 'action_feedback', [[activity]], { feedback: 'again' }),
      { code: 'ODOO_MISSING_RECORD' },
    );
  });

  test('a type that keeps done activities archives them with the feedback', async () => {
    await odoo.call('mail.activity.type', 'write', [[4], { keep_done: true }]);
    const activity = await schedule(25, 2);
    await odoo.call('mail.activity', 'action_feedback', [[activity]], { feedback: 'Rejected' });
    assert.deepEqual(
      await odoo.call('mail.activity', 'search', [[['id', '=', activity]]]),
      [],
      'no longer open',
    );
    const [kept] = await odoo.call<Record<string, unknown>[]>(
      'mail.activity',
      'search_read',
      [
        [
          ['id', '=', activity],
          ['active', '=', false],
        ],
      ],
      { fields: ['feedback', 'date_done'] },
    );
    assert.match(String(kept?.feedback), /^(<p>)?Rejected(<\/p>)?$/);
    assert.match(String(kept?.date_done), /^\d{4}-\d{2}-\d{2}$/);
    await odoo.call('mail.activity.type', 'write', [[4], { keep_done: false }]);
  });
});
