import { z } from 'zod';
import { actorName, Permission, type Principal } from '../../auth/index.ts';
import {
  CASE_ACTIONS,
  CASE_STATUSES,
  CASE_TYPES,
  REASON_CODES,
  SEVERITIES,
  type Actor,
} from '../../exceptions/index.ts';
import { decodeCursor, encodeCursor } from '../pagination.ts';
import { queryInt, route } from '../route.ts';

const Name = z.string().trim().min(1).max(200);
const UserId = z.string().regex(/^\d{1,18}$/, 'a numeric user id');
const ListQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  type: z.enum(CASE_TYPES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** A team, `user:<id>`, or `none` (unassigned). */
  owner: z.union([z.literal('none'), z.string().regex(/^user:\d{1,18}$/), Name]).optional(),
  workflow: Name.optional(),
  step: Name.optional(),
  code: Name.optional(),
  /** Only cases open longer than this many hours. */
  olderThanHours: queryInt(0, 24 * 3650).optional(),
  cursor: z.string().max(200).optional(),
  limit: queryInt(1, 500).optional(),
});
const GroupsQuery = z.strictObject({ status: z.enum(CASE_STATUSES).optional() });
const AssignBody = z
  .strictObject({ team: Name.nullable().optional(), userId: UserId.nullable().optional() })
  .refine((b) => b.team !== undefined || b.userId !== undefined, {
    message: 'give team, userId or both (null unassigns)',
  });
const CommentBody = z.strictObject({ text: z.string().trim().min(1).max(5000) });
const ReplayBody = z.strictObject({
  input: z.unknown().refine((v) => v !== undefined, 'the corrected input'),
  fromStep: Name.optional(),
});
const ResolveBody = z.strictObject({
  reasonCode: z.enum(REASON_CODES),
  note: z.string().trim().max(5000).optional(),
});
const ActionBody = z.strictObject({
  note: z.string().trim().max(5000).optional(),
  /** The action's typed inputs (book_by_hand: carrier, tracking_ref); checked by the service. */
  inputs: z.record(z.string(), z.unknown()).optional(),
});
const ReopenBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
const BulkBody = z
  .strictObject({
    action: z.enum(['retry', 'resolve', 'assign', 'act']),
    /** For action `act`: the business action each case is asked (check_again, release, cancel, reship); one that takes inputs of its own per case (book_by_hand) is refused whole, 400 EXCEPTION_BULK_NEEDS_CASE_INPUTS. */
    caseAction: z.enum(CASE_ACTIONS).optional(),
    ids: z
      .array(z.string().regex(/^\d{1,18}$/))
      .min(1)
      .max(1000)
      .optional(),
    group: z.string().max(700).optional(),
    reasonCode: z.enum(REASON_CODES).optional(),
    note: z.string().trim().max(5000).optional(),
    team: Name.nullable().optional(),
    userId: UserId.nullable().optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.group === undefined), {
    message: 'give either ids or group',
    path: ['ids'],
  })
  .refine((b) => b.action !== 'resolve' || b.reasonCode !== undefined, {
    message: 'a bulk resolve needs a reasonCode',
    path: ['reasonCode'],
  })
  .refine((b) => b.action !== 'act' || b.caseAction !== undefined, {
    message: 'a bulk act needs a caseAction',
    path: ['caseAction'],
  })
  .refine((b) => b.action !== 'assign' || b.team !== undefined || b.userId !== undefined, {
    message: 'a bulk assign needs team or userId',
    path: ['team'],
  });

const HOUR_MS = 3_600_000;
const actor = (p: Principal | null, requestId: string): Actor => ({
  actor: actorName(p!),
  requestId,
});
const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };

/** The exception queue (docs/EXCEPTIONS.md). Every action writes the case's history and an audit entry in its transaction. */
export const exceptionRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/exceptions',
    tag: 'exceptions',
    access: Permission.exceptionsRead,
    query: ListQuery,
    summary:
      'Exception cases, newest first; filter by status, type, severity, owner, workflow, step, error code and age; cursor pagination',
    handler: async ({ services, query }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const openedBefore =
        query.olderThanHours === undefined
          ? undefined
          : new Date(services.engine.clock.now().getTime() - query.olderThanHours * HOUR_MS);
      const { cases, more } = await services.exceptions.list(
        defined({
          status: query.status,
          type: query.type,
          severity: query.severity,
          owner: query.owner,
          workflowId: query.workflow,
          stepId: query.step,
          errorCode: query.code,
          openedBefore,
          beforeId: before,
          limit,
        }),
      );
      return { cases, nextCursor: more ? encodeCursor(cases.at(-1)!.id) : null };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/exceptions/groups',
    tag: 'exceptions',
    access: Permission.exceptionsRead,
    query: GroupsQuery,
    summary:
      'Root-cause groups (workflow + step + error code) with counts and the oldest case; open cases unless status says otherwise',
    handler: async ({ services, query }) => ({
      groups: await services.exceptions.groups(query.status ?? 'open'),
    }),
  }),
  route({
    method: 'GET',
    path: '/api/v1/exceptions/:id',
    tag: 'exceptions',
    access: Permission.exceptionsRead,
    summary:
      'One case with its history, its run (status, input) and the failed step (id, resolved input, error, attempts)',
    handler: async ({ services, params }) => services.exceptions.show(params.id!),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/assign',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: AssignBody,
    summary: 'Give the case to a team and/or a user (null unassigns)',
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.assign(
        params.id!,
        defined({ team: body.team, userId: body.userId }),
        actor(principal, request.id),
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/comment',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: CommentBody,
    summary: 'Add a comment to the case history',
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.comment(params.id!, body.text, actor(principal, request.id)),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/retry',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    summary:
      'Run the failed run again from its failed step with the same input; the case closes as resolved when the run completes (409 unless open)',
    handler: async ({ services, params, principal, request }) =>
      services.exceptions.retry(params.id!, actor(principal, request.id)),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/replay',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: ReplayBody,
    summary:
      'Replay the failed run from the failed step (or fromStep) with a corrected input; the case closes as resolved when the run completes',
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.retry(
        params.id!,
        actor(principal, request.id),
        defined({ input: body.input, fromStep: body.fromStep }),
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/actions/:action',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: ActionBody,
    summary:
      "Ask the case's run for one of the actions the case offers (its `actions`: check_again, release, cancel, reship, book_by_hand with `inputs` carrier and tracking_ref); 409 EXCEPTION_ACTION_NOT_ALLOWED for any other, 400 EXCEPTION_ACTION_INPUT_INVALID for bad inputs, 409 TRACKING_REF_IN_USE",
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.act(
        params.id!,
        params.action!,
        body.note ?? null,
        actor(principal, request.id),
        body.inputs ?? {},
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/resolve',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: ResolveBody,
    summary: 'Close the case with a reason code (and a note); 409 when it is already closed',
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.resolve(
        params.id!,
        body.reasonCode,
        body.note ?? null,
        actor(principal, request.id),
      ),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/:id/reopen',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: ReopenBody,
    summary: 'Open a closed case again, with the reason',
    handler: async ({ services, params, body, principal, request }) =>
      services.exceptions.reopen(params.id!, body.reason, actor(principal, request.id)),
  }),
  route({
    method: 'POST',
    path: '/api/v1/exceptions/bulk',
    tag: 'exceptions',
    access: Permission.exceptionsOperate,
    body: BulkBody,
    summary:
      'retry, resolve, assign or act on many cases: a list of ids or the open cases of a root-cause group; one result per case, and how many were done and refused. An action that takes inputs of its own per case (book_by_hand) is refused whole before any case is touched: 400 EXCEPTION_BULK_NEEDS_CASE_INPUTS',
    handler: async ({ services, body, principal, request }) => {
      const target = body.ids ? { ids: body.ids } : { group: body.group! };
      const who = actor(principal, request.id);
      const results =
        body.action === 'retry'
          ? await services.exceptions.bulk({ ...target, action: 'retry' }, who)
          : body.action === 'resolve'
            ? await services.exceptions.bulk(
                {
                  ...target,
                  action: 'resolve',
                  reasonCode: body.reasonCode!,
                  note: body.note ?? null,
                },
                who,
              )
            : body.action === 'act'
              ? await services.exceptions.bulk(
                  {
                    ...target,
                    action: 'act',
                    caseAction: body.caseAction!,
                    note: body.note ?? null,
                  },
                  who,
                )
              : await services.exceptions.bulk(
                  {
                    ...target,
                    action: 'assign',
                    ...defined({ team: body.team, userId: body.userId }),
                  },
                  who,
                );
      const done = results.filter((r) => r.ok).length;
      return { results, done, refused: results.length - done };
    },
  }),
];
