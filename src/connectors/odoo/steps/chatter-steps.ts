/**
 * odoo.message_post and odoo.activity_schedule. Odoo has no idempotency key for either,
 * so the step writes one into what it posts: a short visible reference derived from the
 * step's idempotency key ("[cd:1a2b3c4d5e6f]", see chatterRef), and looks for it before
 * posting. A repeat of the same step position (a retry after a lost answer, a crash
 * before the checkpoint) finds its own message or activity and does not post again.
 */
import { z } from 'zod';
import { isCrossdockError } from '../../../errors/index.ts';
import { dynamic, type StepContext, type StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import { recordIdsFromResult } from '../values.ts';
import {
  brief,
  callOptions,
  chatterRef,
  connection,
  modelName,
  onConnection,
  recordIdSchema,
  resolved,
  unexpectedResult,
  type OdooClientPool,
} from './shared.ts';

const XMLID = /^[a-z0-9_]+\.[A-Za-z0-9_.]+$/;

const MessageConfig = z.strictObject({
  connection,
  model: modelName(),
  id: dynamic(recordIdSchema),
  body: dynamic(z.string().min(1)),
  /** Plain text (the default) is escaped by Odoo and wrapped in <p>; true keeps HTML. */
  body_is_html: z.boolean().default(false),
  /** mail.mt_note (internal note, the default) or mail.mt_comment (sent to followers). */
  subtype: z.string().regex(XMLID, 'an xml id like mail.mt_note').default('mail.mt_note'),
  message_type: z.enum(['comment', 'notification']).default('comment'),
});
type MessageConfig = z.output<typeof MessageConfig>;

async function findByRef(
  ctx: StepContext,
  client: OdooClient,
  model: string,
  domain: unknown[],
): Promise<number | undefined> {
  const ids = await client.call<number[]>(
    model,
    'search',
    [domain],
    { limit: 1, order: 'id', context: { active_test: false } },
    undefined,
    callOptions(ctx, true),
  );
  return ids[0];
}

export function messagePostStep(pool: OdooClientPool): StepType<MessageConfig> {
  return {
    type: 'odoo.message_post',
    description:
      'Posts a chatter message (an internal note by default) once per step position; output { message_id, posted, ref }',
    config: MessageConfig as z.ZodType<MessageConfig>,
    sideEffect: true,
    // Keyed on the step position's reference: a second execution looks after the first posted.
    serializeOn: (c, ctx) => `odoo:${c.connection}:chatter:${chatterRef(ctx.idempotencyKey)}`,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const id = resolved(config.id, 'id');
      const ref = chatterRef(ctx.idempotencyKey);
      const mine = [
        ['model', '=', config.model],
        ['res_id', '=', id],
        ['body', 'ilike', ref],
      ];
      const existing = await findByRef(ctx, client, 'mail.message', mine);
      if (existing !== undefined)
        return { kind: 'done', output: { message_id: existing, posted: false, ref } };
      const body = config.body_is_html ? `${config.body}<p>${ref}</p>` : `${config.body}\n${ref}`;
      const kwargs = {
        body,
        message_type: config.message_type,
        subtype_xmlid: config.subtype,
        ...(config.body_is_html ? { body_is_html: true } : {}),
      };
      // Idempotency: the body carries `ref`, found by the search above on any repeat.
      const messageId = await client.call(
        config.model,
        'message_post',
        [[id]],
        kwargs,
        undefined,
        callOptions(ctx, false),
      );
      const [posted] = recordIdsFromResult(messageId);
      return { kind: 'done', output: { message_id: posted, posted: true, ref } };
    },
    describe: (c) =>
      `would post on ${c.model} ${String(c.id)} (${c.subtype}): ${brief(c.body, 120)}${onConnection(c.connection)}`,
  };
}

const ActivityConfig = z.strictObject({
  connection,
  model: modelName(),
  id: dynamic(recordIdSchema),
  activity_type_xmlid: z
    .string()
    .regex(XMLID, 'an xml id like mail.mail_activity_data_todo')
    .default('mail.mail_activity_data_todo'),
  summary: dynamic(z.string()).optional(),
  note: dynamic(z.string()).optional(),
  user_id: dynamic(recordIdSchema).optional(),
  date_deadline: dynamic(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date "YYYY-MM-DD"')).optional(),
});
type ActivityConfig = z.output<typeof ActivityConfig>;

export function activityScheduleStep(pool: OdooClientPool): StepType<ActivityConfig> {
  return {
    type: 'odoo.activity_schedule',
    description:
      'Schedules an activity on an Odoo record once per step position; output { activity_id, scheduled, ref }',
    config: ActivityConfig as z.ZodType<ActivityConfig>,
    sideEffect: true,
    // Keyed on the step position's reference: a second execution looks after the first posted.
    serializeOn: (c, ctx) => `odoo:${c.connection}:chatter:${chatterRef(ctx.idempotencyKey)}`,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const id = resolved(config.id, 'id');
      const ref = chatterRef(ctx.idempotencyKey);
      // Done activities Odoo keeps are archived: active_test false finds those too.
      const mine = [
        ['res_model', '=', config.model],
        ['res_id', '=', id],
        '|',
        ['note', 'ilike', ref],
        ['summary', 'ilike', ref],
      ];
      const existing = await findByRef(ctx, client, 'mail.activity', mine);
      if (existing !== undefined)
        return { kind: 'done', output: { activity_id: existing, scheduled: false, ref } };
      const kwargs: Record<string, unknown> = {
        act_type_xmlid: config.activity_type_xmlid,
        note: config.note ? `${config.note}\n${ref}` : ref,
      };
      if (config.summary !== undefined) kwargs.summary = config.summary;
      if (config.user_id !== undefined) kwargs.user_id = resolved(config.user_id, 'user_id');
      if (config.date_deadline !== undefined) kwargs.date_deadline = config.date_deadline;
      // Idempotency: the note carries `ref`, found by the search above on any repeat.
      let result: unknown;
      try {
        result = await client.call(
          config.model,
          'activity_schedule',
          [[id]],
          kwargs,
          undefined,
          callOptions(ctx, false),
        );
      } catch (error) {
        // XML-RPC cannot return the recordset, but the activity was created and committed.
        if (!isCrossdockError(error) || error.code !== 'ODOO_RESULT_NOT_MARSHALLABLE') throw error;
        const created = await findByRef(ctx, client, 'mail.activity', mine);
        if (created === undefined) throw error;
        return { kind: 'done', output: { activity_id: created, scheduled: true, ref } };
      }
      const [activityId] = recordIdsFromResult(result);
      if (activityId === undefined)
        throw unexpectedResult(`${config.model}.activity_schedule created no activity`, result);
      return { kind: 'done', output: { activity_id: activityId, scheduled: true, ref } };
    },
    describe: (c) =>
      `would schedule ${c.activity_type_xmlid} on ${c.model} ${String(c.id)}${c.summary ? ` "${c.summary}"` : ''}${c.date_deadline ? ` due ${c.date_deadline}` : ''}${onConnection(c.connection)}`,
  };
}
