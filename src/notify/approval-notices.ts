import type { ApprovalNotice, ApprovalNotifier } from '../approvals/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Notifications } from './service.ts';

/** Why a notice is not sent when no SMTP server is configured. */
export const NO_MAIL_TRANSPORT = 'no mail transport (CROSSDOCK_SMTP_HOST is not set)';

/**
 * The approvals module's notifier: each notice becomes one e-mail to one approver, rendered
 * from `approval-<kind>` and queued in the approval's own transaction under the notice's
 * key, so a level that starts also tells its approvers (or, rolled back, tells nobody).
 * A notice that cannot be sent is never dropped silently: it is logged (warn) and answered
 * `{ skipped }`, which the request records (the assignee's `unnotified`, a history row).
 */
export function approvalNotifier(notifications: Notifications, logger: Logger): ApprovalNotifier {
  return async (notice, tx) => {
    const skip = (reason: string) => {
      logger.warn(
        {
          request: notice.request.id,
          approvalLevel: notice.request.level.name,
          kind: notice.kind,
          to: notice.to.email,
          reason,
        },
        `approval notice not sent: ${reason}`,
      );
      return { skipped: reason };
    };
    // Without a mail transport, or for a user known by a login name only (no mailbox), the
    // request reaches the inbox only: the approvals module records who was not told.
    if (!notifications.channels.includes('email')) return skip(NO_MAIL_TRANSPORT);
    if (!/^[^<>@\s]+@[^<>@\s]+$/.test(notice.to.email)) return skip('no e-mail address');
    await notifications.enqueue(
      {
        dedupeKey: notice.key,
        channel: 'email',
        to: [notice.to.email],
        template: `approval-${notice.kind}`,
        data: approvalNoticeData(notice),
      },
      tx,
    );
  };
}

/** What approval templates can use (every key is always present; absent values are null). */
export function approvalNoticeData(n: ApprovalNotice): Record<string, unknown> {
  const r = n.request;
  const person = (a: { name: string | null; email: string }) => ({ name: a.name, email: a.email });
  return {
    kind: n.kind,
    recipient: person(n.to),
    on_behalf_of: n.onBehalfOf ? person(n.onBehalfOf) : null,
    links: n.links ? { approve: n.links.approve, reject: n.links.reject } : null,
    request: {
      id: r.id,
      summary: r.summary,
      subject: `${r.subject.model} ${r.subject.name ?? r.subject.id}`,
      workflow: r.workflowId,
      requester: r.requester,
      level: r.level.name,
      level_number: r.level.index + 1,
      levels_count: r.levels.length,
      due_at: r.level.dueAt,
      /** The level asks for a code from the approver's authenticator with each decision. */
      step_up: r.level.stepUp,
      escalations: r.escalations,
      breached: r.breached,
    },
  };
}
