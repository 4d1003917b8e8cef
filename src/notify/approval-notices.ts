import type { ApprovalNotice, ApprovalNotifier } from '../approvals/index.ts';
import type { Notifications } from './service.ts';

/**
 * The approvals module's notifier: each notice becomes one e-mail to one approver, rendered
 * from `approval-<kind>` and queued in the approval's own transaction under the notice's
 * key, so a level that starts also tells its approvers (or, rolled back, tells nobody).
 */
export function approvalNotifier(notifications: Notifications): ApprovalNotifier {
  return async (notice, tx) => {
    // A user known by a login name only has no mailbox; the request still reaches their inbox.
    if (!/^[^<>@\s]+@[^<>@\s]+$/.test(notice.to.email)) return;
    await notifications.enqueue({
      dedupeKey: notice.key,
      channel: 'email',
      to: [notice.to.email],
      template: `approval-${notice.kind}`,
      data: approvalNoticeData(notice),
    }, tx);
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
      escalations: r.escalations,
      breached: r.breached,
    },
  };
}
