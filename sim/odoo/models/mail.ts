/**
 * Chatter: mail.message, mail.activity and the mail.thread methods every business
 * model answers (message_post, activity_schedule). As recorded: a plain-text body is
 * HTML-escaped and wrapped in <p>; `body_is_html` keeps it; message_post returns the
 * message id; activity_schedule returns the activity recordset. Marking an activity done
 * (`mail.activity.action_feedback`) behaves as Odoo 17's `_action_done`: see activityDone.
 */
import { py, pyTupleRepr } from '../errors.ts';
import { bindArguments, opt, toIds } from '../orm/bind.ts';
import type { Env } from '../orm/env.ts';
import { f } from '../orm/fields.ts';
import type { MethodCall, ModelDef, ModelMethod } from '../orm/model.ts';
import { Recordset } from '../orm/wire.ts';
import { resolveXmlId } from './base.ts';
import { defineModel } from './define.ts';

const MESSAGE_TYPES = [
  ['email', 'Incoming Email'],
  ['comment', 'Comment'],
  ['notification', 'System notification'],
  ['auto_comment', 'Automated Targeted Notification'],
  ['user_notification', 'User Specific Notification'],
] as const;

export const mailModels: ModelDef[] = [
  defineModel({
    name: 'mail.message',
    description: 'Message',
    order: 'id desc',
    displayName: (_env, row) => String(row.record_name ?? row.subject ?? ''),
    fields: {
      subject: f.char('Subject'),
      body: f.html('Contents', { default: () => '' }),
      message_type: f.selection('Type', MESSAGE_TYPES, {
        required: true,
        default: () => 'comment',
      }),
      subtype_id: f.m2o('mail.message.subtype', 'Subtype'),
      author_id: f.m2o('res.partner', 'Author'),
      date: f.datetime('Date', { default: (env) => env.nowString() }),
      model: f.char('Related Document Model'),
      res_id: f.int('Related Document ID'),
      record_name: f.char('Message Record Name'),
      mail_activity_type_id: f.m2o('mail.activity.type', 'Mail Activity Type'),
      tracking_value_ids: f.o2m('mail.tracking.value', 'mail_message_id', 'Tracking values'),
    },
  }),
  defineModel({
    name: 'mail.tracking.value',
    description: 'Mail Tracking Value',
    order: 'id',
    fields: {
      mail_message_id: f.m2o('mail.message', 'Message ID', { required: true }),
      field_id: f.m2o('ir.model.fields', 'Field'),
      old_value_char: f.char('Old Value Char'),
      new_value_char: f.char('New Value Char'),
    },
  }),
  defineModel({
    name: 'mail.message.subtype',
    description: 'Message subtypes',
    order: 'sequence, id',
    fields: { name: f.char('Message Type'), sequence: f.int('Sequence') },
  }),
  defineModel({
    name: 'mail.activity.type',
    description: 'Activity Type',
    order: 'sequence, id',
    fields: {
      name: f.char('Name'),
      sequence: f.int('Sequence'),
      delay_count: f.int('Schedule'),
      keep_done: f.bool('Keep Done', { default: () => false }),
    },
  }),
  defineModel({
    name: 'mail.activity',
    description: 'Activity',
    order: 'date_deadline ASC, id ASC',
    displayName: (_env, row) => String(row.summary || ''),
    fields: {
      res_model_id: f.m2o('ir.model', 'Document Model'),
      res_model: f.char('Related Document Model', {
        compute: (env, row) =>
          typeof row.res_model_id === 'number'
            ? (env.row('ir.model', row.res_model_id)?.model ?? false)
            : (row.res_model ?? false),
      }),
      res_id: f.int('Related Document ID'),
      activity_type_id: f.m2o('mail.activity.type', 'Activity Type'),
      summary: f.char('Summary'),
      note: f.html('Note'),
      feedback: f.html('Feedback'),
      active: f.bool('Active', { default: () => true }),
      date_done: f.date('Done Date'),
      date_deadline: f.date('Due Date', { required: true }),
      user_id: f.m2o('res.users', 'Assigned to', { default: (env) => env.uid }),
      state: f.selection(
        'State',
        [
          ['overdue', 'Overdue'],
          ['today', 'Today'],
          ['planned', 'Planned'],
        ],
        {
          store: false,
          compute: (env, row) => {
            const deadline = String(row.date_deadline ?? '');
            const today = env.today();
            return deadline < today ? 'overdue' : deadline === today ? 'today' : 'planned';
          },
        },
      ),
    },
    methods: {
      async action_feedback(env: Env, { args, kwargs }: MethodCall) {
        const [ids, ...rest] = args;
        const { values } = bindArguments(
          [opt('feedback', false), opt('attachment_ids')],
          rest,
          kwargs,
          { qualName: 'MailActivity.action_feedback' },
        );
        const messages = await activityDone(
          env,
          toIds(ids),
          typeof values.feedback === 'string' ? values.feedback : false,
        );
        return messages[0] ?? false;
      },
    },
  }),
];

/**
 * Odoo 17's MailActivity._action_done: for each activity, a message on its record
 * ("<type> done", the feedback, the original note; subtype mail.mt_activities, as a
 * notification carrying the activity type), then the activity is archived with its
 * feedback and done date when its type keeps done activities, else deleted. Returns the
 * messages' ids; `action_feedback` answers the first (or false).
 */
async function activityDone(env: Env, ids: number[], feedback: string | false): Promise<number[]> {
  const messages: number[] = [];
  // Raises MissingError for an activity already done (deleted), as Odoo does.
  const rows = env
    .sudo()
    .read('mail.activity', ids, [
      'res_model',
      'res_id',
      'activity_type_id',
      'summary',
      'note',
      'user_id',
    ]);
  const kept: number[] = [];
  for (const activity of rows) {
    const type = activity.activity_type_id as [number, string] | false;
    const assignee = activity.user_id as [number, string] | false;
    const others =
      assignee !== false && assignee[0] !== env.uid
        ? ` (originally assigned to ${escapeHtml(assignee[1])})`
        : '';
    const body = [
      `<div><p>${escapeHtml(type ? type[1] : 'Activity')} done${others}${activity.summary ? `: ${escapeHtml(String(activity.summary))}` : ''}</p>`,
      feedback
        ? `<div class="o_mail_note_title"><strong>Feedback:</strong></div>${escapeHtml(feedback).replace(/\n/g, '<br>')}`
        : '',
      activity.note
        ? `<div class="o_mail_note_title"><strong>Original note:</strong></div><div>${String(activity.note)}</div>`
        : '',
      '</div>',
    ].join('');
    const message = await postMessage(env, String(activity.res_model), Number(activity.res_id), {
      body,
      bodyIsHtml: true,
      messageType: 'notification',
      subtypeXmlid: 'mail.mt_activities',
    });
    if (type) await env.sudo().write('mail.message', [message], { mail_activity_type_id: type[0] });
    messages.push(message);
    if (type && env.sudo().row('mail.activity.type', type[0])?.keep_done === true)
      kept.push(Number(activity.id));
  }
  if (kept.length > 0)
    await env.sudo().write('mail.activity', kept, {
      active: false,
      feedback: feedback || false,
      date_done: env.today(),
    });
  const deleted = ids.filter((id) => !kept.includes(id));
  if (deleted.length > 0) await env.sudo().unlink('mail.activity', deleted);
  return messages;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Odoo's plaintext2html for a message body: escaped, line breaks kept, in a paragraph. */
export function plainTextToHtml(text: string): string {
  return `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
}

function singleRecord(model: string, ids: number[]): number {
  const [id] = ids;
  if (id === undefined || ids.length > 1)
    throw py.valueError(`Expected singleton: ${model}${pyTupleRepr(ids)}`);
  return id;
}

function authorOf(env: Env): number | false {
  const partner = env.row('res.users', env.uid)?.partner_id;
  if (typeof partner !== 'number') throw py.valueError('Expected singleton: res.users()');
  return partner;
}

/** Posts a message on one record; shared by message_post and the automation actions. */
export async function postMessage(
  env: Env,
  model: string,
  id: number,
  options: { body: string; bodyIsHtml?: boolean; messageType?: string; subtypeXmlid?: string },
): Promise<number> {
  const subtype = resolveXmlId(env, options.subtypeXmlid ?? 'mail.mt_note');
  return env.sudo().create('mail.message', {
    body: options.bodyIsHtml === true ? options.body : plainTextToHtml(options.body),
    message_type: options.messageType ?? 'notification',
    subtype_id: subtype?.id ?? false,
    author_id: authorOf(env),
    model,
    res_id: id,
    record_name: env.displayName(model, id),
  });
}

export function mailThreadMethods(model: string): Record<string, ModelMethod> {
  return {
    async message_post(env: Env, { args, kwargs }: MethodCall) {
      const [ids, ...rest] = args;
      const parameters = [
        opt('body', ''),
        opt('subject'),
        opt('message_type', 'notification'),
        opt('subtype_xmlid'),
        opt('body_is_html', false),
        opt('partner_ids'),
        opt('author_id'),
        opt('subtype_id'),
      ];
      const { values } = bindArguments(parameters, rest, kwargs, {
        qualName: 'MailThread.message_post',
      });
      const id = singleRecord(model, toIds(ids));
      return postMessage(env, model, id, {
        body: String(values.body ?? ''),
        bodyIsHtml: values.body_is_html === true,
        messageType: String(values.message_type),
        subtypeXmlid:
          typeof values.subtype_xmlid === 'string' ? values.subtype_xmlid : 'mail.mt_note',
      });
    },

    async activity_schedule(env: Env, { args, kwargs }: MethodCall) {
      const [ids, ...rest] = args;
      const parameters = [
        opt('act_type_xmlid', ''),
        opt('date_deadline'),
        opt('summary', ''),
        opt('note', ''),
      ];
      const { values, extra } = bindArguments(parameters, rest, kwargs, {
        qualName: 'MailActivityMixin.activity_schedule',
        extraKeywords: true,
      });
      const type = resolveXmlId(
        env,
        String(values.act_type_xmlid || 'mail.mail_activity_data_todo'),
      );
      const modelId =
        env.sudo().search('ir.model', [['model', '=', model]], { limit: 1 })[0] ?? false;
      const created: number[] = [];
      for (const id of toIds(ids)) {
        created.push(
          await env.create('mail.activity', {
            res_model_id: modelId,
            res_id: id,
            activity_type_id: type?.id ?? false,
            summary: values.summary || false,
            note: values.note || false,
            date_deadline: values.date_deadline ?? env.today(),
            ...extra,
          }),
        );
      }
      return new Recordset('mail.activity', created);
    },
  };
}
