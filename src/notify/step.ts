import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import { dynamic, isExpressionString, type StepType } from '../workflows/index.ts';
import type { Notifications } from './service.ts';
import { TemplateRenderer } from './templates.ts';

const liquid = new TemplateRenderer();

/** Inline Liquid; parsed when the workflow loads, so a syntax error names its field. */
const liquidText = (max: number) => dynamic(z.string().max(max));

const NotifyConfig = z
  .strictObject({
    channel: z.enum(['email', 'chat']),
    /** E-mail addresses; for chat, the name of a webhook (CROSSDOCK_CHAT_WEBHOOK_<NAME>, lower-cased). */
    to: dynamic(z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(100)])),
    /** A template by name (approval-request, approval-reminder, approval-escalated, generic, ...). */
    template: z.string().min(1).optional(),
    /** Or inline Liquid: subject (e-mail), body (text), html (optional). */
    subject: liquidText(998).optional(),
    body: liquidText(100_000).optional(),
    html: liquidText(200_000).optional(),
    /** What the template sees. Expressions inside are resolved first. */
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((c, ctx) => {
    if (
      c.template !== undefined &&
      (c.body !== undefined || c.subject !== undefined || c.html !== undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['template'],
        message: 'give either template or subject/body/html, not both',
      });
    }
    if (c.template === undefined && c.body === undefined)
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'required without template' });
    if (c.template === undefined && c.channel === 'email' && c.subject === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'an e-mail needs a subject (or a template)',
      });
    for (const field of ['subject', 'body', 'html'] as const) {
      const source = c[field];
      const problem =
        typeof source === 'string' && !isExpressionString(source)
          ? liquid.syntaxError(source)
          : null;
      if (problem)
        ctx.addIssue({ code: 'custom', path: [field], message: `not valid Liquid: ${problem}` });
    }
    if (c.template !== undefined && !liquid.has(c.template))
      ctx.addIssue({
        code: 'custom',
        path: ['template'],
        message: `unknown template; there are ${liquid.names().join(', ')}`,
      });
  });
type NotifyConfig = z.infer<typeof NotifyConfig>;

/**
 * The `notify` step: renders a message and queues it in the outbox. Idempotency: the
 * message's dedupe key is the step's idempotency key (`runId:stepId:n`), so a retried,
 * recovered or replayed step at this position queues nothing new and answers the first
 * message's id; delivery is the dispatcher's (see NotificationDispatcher).
 */
export function notifyStep(notifications: Notifications | null): StepType<NotifyConfig> {
  return {
    type: 'notify',
    description:
      'Sends an e-mail or chat message through the outbox (templates, retries), once per step position',
    config: NotifyConfig as never,
    sideEffect: true,
    async execute(ctx, config) {
      if (!notifications)
        throw new CrossdockError(
          'NOTIFY_UNAVAILABLE',
          'notify steps run only in a Crossdock with a store',
          { category: 'bug', retryable: false },
        );
      const to = typeof config.to === 'string' ? [config.to] : (config.to as string[]);
      const queued = await notifications.enqueue({
        dedupeKey: ctx.idempotencyKey,
        channel: config.channel,
        to,
        ...(config.template !== undefined
          ? { template: config.template }
          : {
              inline: {
                subject: (config.subject as string | undefined) ?? '',
                text: config.body as string,
                ...(config.html === undefined ? {} : { html: config.html as string }),
              },
            }),
        data: config.data,
      });
      ctx.log(
        'info',
        queued.duplicate
          ? `notification ${queued.id} was queued before; not again`
          : `notification ${queued.id} queued`,
        { channel: config.channel, to },
      );
      return {
        kind: 'done',
        output: {
          notificationId: queued.id,
          duplicate: queued.duplicate,
          channel: config.channel,
          to,
        },
      };
    },
    describe: (c) => {
      const to = isExpressionString(c.to)
        ? c.to
        : ([] as string[]).concat(c.to as string | string[]).join(', ');
      const what =
        c.template !== undefined
          ? `template ${c.template}`
          : c.subject !== undefined
            ? `subject ${JSON.stringify(c.subject)}`
            : `body ${JSON.stringify(String(c.body).slice(0, 80))}`;
      return `would send ${c.channel === 'email' ? 'an e-mail' : 'a chat message'} to ${to} (${what}) with data ${JSON.stringify(c.data)}`;
    },
  };
}
