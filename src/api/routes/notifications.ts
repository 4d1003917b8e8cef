import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import {
  listNotifications,
  NotificationStatus,
  resendNotification,
  type NotificationRow,
} from '../../notify/index.ts';
import { queryInt, route } from '../route.ts';

const ListQuery = z.strictObject({
  status: z
    .enum(Object.values(NotificationStatus) as [NotificationStatus, ...NotificationStatus[]])
    .optional(),
  /** Older than this id: the next page (`next` of the previous answer). */
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'a notification id')
    .optional(),
  limit: queryInt(1, 500).optional(),
});
const ResendBody = z
  .strictObject({ reason: z.string().trim().min(1).max(1000).optional() })
  .default({});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** What the API shows of a message: who, what, how it went; not its body (it can hold customer data). */
function view(n: NotificationRow) {
  return {
    id: String(n.id),
    dedupeKey: n.dedupe_key,
    channel: n.channel,
    to: n.recipients,
    subject: n.subject,
    template: n.template,
    status: n.status,
    attempts: n.attempts,
    nextAttemptAt: n.status === 'pending' || n.status === 'sending' ? iso(n.next_attempt_at) : null,
    lastErrorCode: n.last_error_code,
    lastError: n.last_error,
    createdAt: iso(n.created_at),
    sentAt: iso(n.sent_at),
  };
}

export const notificationRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/notifications',
    tag: 'notifications',
    access: Permission.exceptionsRead,
    query: ListQuery,
    summary:
      "The notification outbox, newest first, paged by `before` (the previous page's `next`): e-mails and chat messages with their status, attempts and last error (no bodies)",
    handler: async ({ services, query }) => {
      const limit = query.limit ?? 100;
      const rows = await listNotifications(services.engine.store.db, {
        ...(query.status ? { status: query.status } : {}),
        ...(query.before ? { before: query.before } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit).map(view);
      return { notifications: page, next: rows.length > limit ? page.at(-1)!.id : null };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/notifications/:id/resend',
    tag: 'notifications',
    access: Permission.exceptionsOperate,
    body: ResendBody,
    summary:
      'Send a failed or dead message again (same message, same Message-ID), from its first attempt; its exception case resolves once it goes out',
    handler: async ({ services, params, body, audit }) => {
      const row = await resendNotification(
        services.engine.store.db,
        params.id!,
        services.engine.clock.now(),
      );
      await services.engine.store.wake(); // every process's dispatcher listens for the store's wake-up
      await audit({
        action: 'notification.resend',
        target: `notification:${row.id}`,
        details: { to: row.recipients, channel: row.channel, reason: body.reason ?? null },
      });
      return view(row);
    },
  }),
];
