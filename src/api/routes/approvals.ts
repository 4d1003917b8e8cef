import { z } from 'zod';
import {
  BULK_MAX,
  ProfileInput,
  type ApprovalView,
  type BulkDecision,
} from '../../approvals/index.ts';
import {
  actorName,
  isFactorCode,
  normalizeFactorCode,
  Permission,
  type Principal,
} from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryInt, queryTime, route } from '../route.ts';
import { linkPage } from './approval-link-page.ts';

const Id = z.string().regex(/^\d{1,18}$/, 'a numeric id');
const ListQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected', 'cancelled']).optional(),
  mine: z.enum(['true', 'false']).optional(),
  workflow: z.string().max(200).optional(),
  limit: queryInt(1, 500).optional(),
  offset: queryInt(0, 1_000_000).optional(),
});
const DecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().max(2000).nullable().optional(),
  /**
   * The six digits of the decider's authenticator, or one of their recovery codes, for a
   * level with `step_up: true`.
   */
  code: z
    .string()
    .transform(normalizeFactorCode)
    .refine(isFactorCode, 'six digits from your authenticator app, or one of your recovery codes')
    .optional(),
});
const BulkDecisionBody = z.strictObject({
  ids: z
    .array(Id)
    .min(1, 'name at least one request')
    .max(BULK_MAX, `at most ${BULK_MAX} requests at once`),
  decision: z.literal('approve', {
    error: 'only approve: requests are rejected one at a time, each with its own reason',
  }),
  reason: z.string().trim().max(2000).nullable().optional(),
});
const DelegationBody = z.strictObject({
  /** Whose work is delegated; others than oneself need users:write. */
  userId: Id.optional(),
  delegateId: Id,
  startsAt: queryTime.optional(),
  endsAt: queryTime,
  reason: z.string().trim().max(500).optional(),
});

const decider = (p: Principal) => ({ userId: p.userId, email: p.email, actor: actorName(p) });

export const approvalRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/approvals',
    tag: 'approvals',
    access: Permission.approvalsRead,
    query: ListQuery,
    summary:
      "Approval requests, soonest deadline first; mine=true is the caller's inbox (including work delegated to them)",
    handler: async ({ services, query, principal }) =>
      services.approvals.list({
        ...(query.status ? { status: query.status } : {}),
        ...(query.workflow ? { workflow: query.workflow } : {}),
        ...(query.mine === 'true' ? { assignedTo: principal!.userId } : {}),
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/approvals/delegations',
    tag: 'approvals',
    access: Permission.approvalsDecide,
    summary: 'Delegations from or to the caller (all of them with users:read)',
    handler: async ({ services, principal }) => ({
      delegations: await services.approvals.directory.delegations(
        principal!.permissions.has(Permission.usersRead) ? {} : { userId: principal!.userId },
      ),
    }),
  }),
  route({
    method: 'POST',
    path: '/api/v1/approvals/delegations',
    tag: 'approvals',
    access: Permission.approvalsDecide,
    body: DelegationBody,
    status: 201,
    summary:
      "Delegate approvals while away (out of office): the delegate decides on the user's behalf until endsAt",
    handler: async ({ services, body, principal, audit }) => {
      const userId = body.userId ?? principal!.userId;
      if (userId !== principal!.userId && !principal!.permissions.has(Permission.usersWrite)) {
        throw new CrossdockError(
          'FORBIDDEN',
          'Not allowed: only users:write may delegate for someone else',
          { category: 'user', retryable: false },
        );
      }
      const now = services.engine.clock.now();
      const delegation = await services.approvals.directory.delegate(
        {
          userId,
          delegateId: body.delegateId,
          startsAt: body.startsAt ?? now,
          endsAt: body.endsAt,
          reason: body.reason ?? null,
          actor: actorName(principal!),
        },
        now,
      );
      await audit({
        action: 'approval.delegate',
        target: `user:${userId}`,
        details: {
          delegation: delegation.id,
          delegate: `user:${body.delegateId}`,
          startsAt: delegation.startsAt,
          endsAt: delegation.endsAt,
          reason: body.reason ?? null,
        },
      });
      return delegation;
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/approvals/delegations/:id',
    tag: 'approvals',
    access: Permission.approvalsDecide,
    summary: 'End a delegation now',
    handler: async ({ services, params, principal, audit }) => {
      const [existing] = await services.approvals.directory.delegations({
        id: Id.parse(params.id),
      });
      if (!existing)
        throw new CrossdockError('DELEGATION_NOT_FOUND', `No delegation ${params.id}`, {
          category: 'user',
          retryable: false,
        });
      if (
        existing.userId !== principal!.userId &&
        !principal!.permissions.has(Permission.usersWrite)
      ) {
        throw new CrossdockError(
          'FORBIDDEN',
          "Not allowed: only users:write may end someone else's delegation",
          { category: 'user', retryable: false },
        );
      }
      const revoked = await services.approvals.directory.revokeDelegation(
        existing.id,
        services.engine.clock.now(),
      );
      await audit({
        action: 'approval.delegation_revoke',
        target: `user:${existing.userId}`,
        details: { delegation: existing.id },
      });
      return revoked;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/approvals/:id',
    tag: 'approvals',
    access: Permission.approvalsRead,
    summary:
      'One request: subject, why (the policy decision), the chain, current level and approvers, deadline, full history',
    handler: async ({ services, params }) => services.approvals.show(params.id!),
  }),
  route({
    method: 'POST',
    path: '/api/v1/approvals/:id/decision',
    tag: 'approvals',
    access: Permission.approvalsDecide,
    body: DecisionBody,
    summary:
      'Approve or reject (a reason is required to reject; `code` from your authenticator at a step-up level); 409 when already decided, 422 when segregation of duties forbids it or a step-up code is missing or wrong',
    handler: async ({ services, params, body, principal }): Promise<ApprovalView> =>
      services.approvals.decide(
        params.id!,
        decider(principal!),
        body.decision,
        body.reason ?? null,
        'api',
        body.code === undefined ? {} : { code: body.code },
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v1/approvals/bulk-decision',
    tag: 'approvals',
    access: Permission.approvalsDecide,
    body: BulkDecisionBody,
    summary:
      'Approve identical requests together (same bulkGroup; only approve): 409 APPROVAL_BULK_REFUSED, deciding nothing, when any cannot be; else one result per request (approved, or refused with its code)',
    handler: async ({ services, body, principal }): Promise<BulkDecision> =>
      services.approvals.decideMany(body.ids, decider(principal!), body.reason || null, 'api'),
  }),
  route({
    method: 'PATCH',
    path: '/api/v1/approvers/:id',
    tag: 'approvals',
    access: Permission.usersWrite,
    body: ProfileInput,
    summary:
      "Set a user's approver groups, manager (for escalation) and Odoo user (for activities in Odoo)",
    handler: async ({ services, params, body, audit }) => {
      const profile = await services.approvals.directory.setProfile(
        Id.parse(params.id),
        body,
        services.engine.clock.now(),
      );
      await audit({
        action: 'approver.update',
        target: `user:${params.id}`,
        details: { ...profile },
      });
      return profile;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/approvers/:id',
    tag: 'approvals',
    access: Permission.approvalsRead,
    summary: "A user's approver groups, manager and Odoo user",
    handler: async ({ services, params }) =>
      services.approvals.directory.profile(Id.parse(params.id)),
  }),
  route({
    method: 'GET',
    path: '/approve/:token',
    tag: 'approvals',
    access: 'public',
    produces: 'text/html',
    summary:
      'The page an e-mailed decision link opens: what is asked, with Approve / Reject (nothing is decided by opening it)',
    handler: async ({ services, params, reply }) => {
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'none'",
        );
      try {
        const link = await services.approvals.links.peek(
          params.token!,
          services.engine.clock.now(),
        );
        const request = await services.approvals.show(link.requestId);
        return linkPage({ request, expiresAt: link.expiresAt, token: params.token! });
      } catch (error) {
        if (!(error instanceof CrossdockError)) throw error;
        // Sent here: the router would answer 200 for a returned page.
        return reply
          .status(
            error.code === 'APPROVAL_LINK_EXPIRED'
              ? 410
              : error.code === 'APPROVAL_LINK_USED'
                ? 409
                : 404,
          )
          .send(linkPage({ problem: error.message }));
      }
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/approval-links/:token',
    tag: 'approvals',
    access: 'public',
    body: DecisionBody,
    summary:
      'Decide through a one-time link (the token is the credential: bound to one approver, one level, single use, expiring; a step-up level also needs `code`, and a refused code leaves the link usable)',
    handler: async ({ services, params, body }) =>
      services.approvals.decideByLink(params.token!, body.decision, body.reason ?? null, body.code),
  }),
];
