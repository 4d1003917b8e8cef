/**
 * odoo.message_post and odoo.activity_schedule: when Odoo commits the post but the answer
 * is lost on the way back, the engine retries the step at the same position (same
 * idempotency key); the step finds its own reference and does not post again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { attemptsOf, newOrder, outputsOf, startHarness, type Harness } from './support.ts';

const RETRY = '{ max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 5, jitter: 0 }';

const WORKFLOW = `
id: chatter
trigger: { event: chatter }
steps:
  - id: note
    type: odoo.message_post
    with: { model: sale.order, id: "= input.order", body: "= 'Shipped with ' & input.carrier & ' <tracking 1Z9>'" }
    retry: ${RETRY}
  - id: todo
    type: odoo.activity_schedule
    with:
      model: sale.order
      id: "= input.order"
      activity_type_xmlid: mail.mail_activity_data_todo
      summary: Check delivery
      note: Created by Crossdock
      user_id: "= input.user"
      date_deadline: "2026-12-05"
    retry: ${RETRY}
`;

describe('odoo.message_post and odoo.activity_schedule', () => {
  let h: Harness;
  before(async () => (h = await startHarness([WORKFLOW])));
  after(() => h.close());

  const messagesOn = (order: number) =>
    h.sim.db.searchRead(
      'mail.message',
      [
        ['model', '=', 'sale.order'],
        ['res_id', '=', order],
        ['body', 'ilike', '[cd:'],
      ],
      ['body', 'message_type', 'subtype_id'],
    );
  const activitiesOn = (order: number) =>
    h.sim.db.searchRead(
      'mail.activity',
      [
        ['res_model', '=', 'sale.order'],
        ['res_id', '=', order],
      ],
      ['summary', 'note', 'user_id', 'date_deadline', 'activity_type_id'],
    );

  test('answers lost after Odoo committed: each step retries, finds its reference and posts once', async () => {
    const order = await newOrder(h.sim, [[32, 1]]);
    h.loseAnswers('sale.order', 'message_post', 1);
    h.loseAnswers('sale.order', 'activity_schedule', 1);
    const run = await h.run('chatter', { order, carrier: 'DHL', user: [2, 'Mitchell Admin'] });
    assert.equal(run.status, 'completed');
    assert.deepEqual(attemptsOf(run, 'note'), [
      [1, 'failed', 'ODOO_UNAVAILABLE'],
      [2, 'completed', null],
    ]);
    assert.deepEqual(attemptsOf(run, 'todo'), [
      [1, 'failed', 'ODOO_UNAVAILABLE'],
      [2, 'completed', null],
    ]);

    const [note] = outputsOf(run, 'note') as { message_id: number; posted: boolean; ref: string }[];
    assert.match(note?.ref ?? '', /^\[cd:[0-9a-f]{12}\]$/);
    assert.deepEqual(messagesOn(order), [
      {
        id: note?.message_id,
        body: `<p>Shipped with DHL &lt;tracking 1Z9&gt;<br>${note?.ref}</p>`,
        message_type: 'comment',
        subtype_id: [2, 'Note'],
      },
    ]);
    assert.equal(note?.posted, false, 'the retry found the message the lost call had posted');
    assert.equal(h.sim.calls.count({ model: 'sale.order', method: 'message_post' }), 1);

    const [todo] = outputsOf(run, 'todo') as {
      activity_id: number;
      scheduled: boolean;
      ref: string;
    }[];
    assert.equal(todo?.scheduled, false);
    const activities = activitiesOn(order);
    assert.equal(activities.length, 1);
    assert.equal(activities[0]?.id, todo?.activity_id);
    assert.deepEqual(
      [
        activities[0]?.summary,
        activities[0]?.user_id,
        activities[0]?.date_deadline,
        activities[0]?.activity_type_id,
      ],
      ['Check delivery', [2, 'Mitchell Admin'], '2026-12-05', [4, 'To-Do']],
    );
    assert.ok(
      String(activities[0]?.note).includes(`Created by Crossdock`) &&
        String(activities[0]?.note).includes(todo?.ref ?? '?'),
    );
    assert.equal(h.sim.calls.count({ model: 'sale.order', method: 'activity_schedule' }), 1);
  });

  test('another run is another position: it posts its own note and activity', async () => {
    const order = await newOrder(h.sim, [[32, 1]]);
    const first = await h.run('chatter', { order, carrier: 'UPS', user: 2 });
    const second = await h.run('chatter', { order, carrier: 'UPS', user: 2 });
    const posted = [...outputsOf(first, 'note'), ...outputsOf(second, 'note')] as {
      posted: boolean;
      ref: string;
    }[];
    assert.deepEqual(
      posted.map((o) => o.posted),
      [true, true],
    );
    assert.notEqual(posted[0]?.ref, posted[1]?.ref);
    assert.equal(messagesOn(order).length, 2);
    assert.equal(activitiesOn(order).length, 2);
  });
});
