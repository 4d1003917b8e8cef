import type { ApprovalView, BulkDecision } from '../approvals/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { isFactorCode, normalizeFactorCode } from '../auth/index.ts';
import type { Crossdock } from '../main.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface ApprovalFlags {
  api?: string;
  status?: string;
  workflow?: string;
  limit?: string;
  reason?: string;
  as?: string;
  /** The six digits of the decider's authenticator (or a recovery code), at a step-up level. */
  code?: string;
  bulk?: boolean;
  groups?: string;
  manager?: string;
  'odoo-user'?: string;
}

const USAGE =
  'usage: crossdock approvals list [--status S] [--workflow W] | show <id> | approve <id> [--reason R] [--code C] | approve <id> <id> ... --bulk [--reason R] | reject <id> --reason R [--code C]  (on the store directly: --as <approver email>; --code: the six digits of your authenticator, or one of your recovery codes, at a step-up level)';

/** `crossdock approvals ...`: the approver's inbox and decisions from a terminal. */
export async function approvalsCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: ApprovalFlags,
  out: Output,
): Promise<number> {
  const [sub, id] = rest;
  const via = (url: string) => out.info(`using the API at ${url}`);
  if (sub === 'list') {
    const filter = {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.workflow ? { workflow: flags.workflow } : {}),
      limit: Number(flags.limit ?? 50),
    };
    return directOrRemote(
      config,
      flags.api,
      async (c) => printList((await c.services.approvals.list(filter)).approvals, out),
      async (call) =>
        printList(
          (
            await call<{ approvals: ApprovalView[] }>(
              'GET',
              `/api/v1/approvals?${new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)]))}`,
            )
          ).approvals,
          out,
        ),
      via,
    );
  }
  if (sub === 'show' && id) {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printOne(await c.services.approvals.show(id), out),
      async (call) =>
        printOne(await call('GET', `/api/v1/approvals/${encodeURIComponent(id)}`), out),
      via,
    );
  }
  if (flags.bulk && (sub === 'approve' || sub === 'reject') && id) {
    if (sub === 'reject')
      throw usageError(
        `--bulk only approves: reject each request on its own with --reason\n${USAGE}`,
      );
    return approveTogether(config, rest.slice(1), flags, out, via);
  }
  if (rest.length > 2 && (sub === 'approve' || sub === 'reject'))
    throw usageError(
      `several ids: approve them together with --bulk (identical requests only)\n${USAGE}`,
    );
  if ((sub === 'approve' || sub === 'reject') && id) {
    const decision = sub;
    const reason = flags.reason ?? null;
    const code = flags.code === undefined ? undefined : normalizeFactorCode(flags.code);
    if (code !== undefined && !isFactorCode(code))
      throw usageError(
        `--code takes the six digits your authenticator app shows, or one of your recovery codes\n${USAGE}`,
      );
    return directOrRemote(
      config,
      flags.api,
      async (c) =>
        printOne(
          await c.services.approvals.decide(
            id,
            await asApprover(c, flags.as),
            decision,
            reason,
            'cli',
            code === undefined ? {} : { code },
          ),
          out,
        ),
      async (call) =>
        printOne(
          await call('POST', `/api/v1/approvals/${encodeURIComponent(id)}/decision`, {
            decision,
            reason,
            ...(code === undefined ? {} : { code }),
          }),
          out,
        ),
      via,
    );
  }
  throw usageError(USAGE);
}

/** `approve <id> <id> ... --bulk`: identical requests together; exit 1 when any is refused. */
async function approveTogether(
  config: CrossdockConfig,
  ids: string[],
  flags: ApprovalFlags,
  out: Output,
  via: (url: string) => void,
): Promise<number> {
  const reason = flags.reason ?? null;
  return directOrRemote(
    config,
    flags.api,
    async (c) =>
      printBulk(
        await c.services.approvals.decideMany(ids, await asApprover(c, flags.as), reason, 'cli'),
        out,
      ),
    async (call) =>
      printBulk(
        await call('POST', '/api/v1/approvals/bulk-decision', { ids, decision: 'approve', reason }),
        out,
      ),
    via,
  );
}

/** `crossdock approvers set <email> [--groups a,b] [--manager email] [--odoo-user N]`. */
export async function approversCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: ApprovalFlags,
  out: Output,
): Promise<number> {
  const [sub, email] = rest;
  if (sub !== 'set' || !email)
    throw usageError(
      'usage: crossdock approvers set <email> [--groups sales-manager,finance] [--manager <email>] [--odoo-user <id>]',
    );
  if (flags['odoo-user'] !== undefined && !/^\d+$/.test(flags['odoo-user']))
    throw usageError('--odoo-user must be an Odoo user id (a whole number)');
  return directOrRemote(
    config,
    flags.api,
    async (c) => {
      const user = await userByEmail(c, email);
      const manager = flags.manager ? (await userByEmail(c, flags.manager)).id : undefined;
      const profile = await c.services.approvals.directory.setProfile(
        user.id,
        {
          ...(flags.groups !== undefined
            ? {
                groups: flags.groups
                  .split(',')
                  .map((g) => g.trim())
                  .filter(Boolean),
              }
            : {}),
          ...(manager ? { managerId: manager } : {}),
          ...(flags['odoo-user'] !== undefined ? { odooUserId: Number(flags['odoo-user']) } : {}),
        },
        c.engine.clock.now(),
      );
      await c.services.audit.append({
        actor: cliActor(),
        action: 'approver.update',
        target: `user:${user.id}`,
        details: { ...profile },
      });
      out.result(
        profile,
        () =>
          `approver ${email}: groups ${profile.groups.join(', ') || '(none)'}; manager ${profile.managerId ?? '-'}; Odoo user ${profile.odooUserId ?? '-'}`,
      );
      return 0;
    },
    async () => {
      throw new CrossdockError(
        'CLI_LOCAL_ONLY',
        'approvers set runs on the store; with a running instance use PATCH /api/v1/approvers/<user id>',
        { category: 'user', retryable: false },
      );
    },
  );
}

async function userByEmail(c: Crossdock, email: string) {
  const user = await c.services.users.findByEmail(email);
  if (!user)
    throw new CrossdockError('USER_NOT_FOUND', `No user ${email}`, {
      category: 'user',
      retryable: false,
    });
  return user;
}

/** On the store directly there is no signed-in user: the decision is made as --as, and says it came from the CLI. */
async function asApprover(c: Crossdock, email: string | undefined) {
  if (!email)
    throw usageError(
      "on the store directly, name the approver: --as <email> (or use --api with that approver's token)",
    );
  const user = await userByEmail(c, email);
  return {
    userId: user.id,
    email: user.email,
    actor: `${cliActor()} as user:${user.id} ${user.email}`,
  };
}

function printList(approvals: ApprovalView[], out: Output): number {
  const rows = approvals.map((a) => ({
    id: a.id,
    status: a.status,
    subject: `${a.subject.model} ${a.subject.name ?? a.subject.id}`,
    level: a.level.name,
    due: a.level.dueAt ?? '-',
    approvers: a.level.assignees.map((x) => x.email).join(', '),
    bulk: a.bulkGroup ?? '-',
  }));
  out.result({ approvals }, () =>
    rows.length === 0
      ? 'no approval requests'
      : table(rows, ['id', 'status', 'subject', 'level', 'due', 'approvers', 'bulk']),
  );
  return 0;
}

function printBulk(decision: BulkDecision, out: Output): number {
  out.result(decision, () =>
    [
      ...decision.results.map((r) =>
        r.outcome === 'approved'
          ? `approved  ${r.id} (now ${r.request.status})`
          : `refused   ${r.id}  ${r.error.code}: ${r.error.message}`,
      ),
      `${decision.approved} approved, ${decision.refused} refused`,
    ].join('\n'),
  );
  return decision.refused === 0 ? 0 : 1;
}

function printOne(
  a: ApprovalView & {
    actions?: { at: string; action: string; actor: string; reason: string | null }[];
  },
  out: Output,
): number {
  out.result(a, () =>
    [
      `request ${a.id} (run ${a.runId}): ${a.status}`,
      `  ${a.subject.model} ${a.subject.name ?? a.subject.id}: ${a.summary}`,
      `  level ${a.level.index + 1}/${a.levels.length} ${a.level.name}${a.level.stepUp ? ' (step-up: decide with --code)' : ''}, due ${a.level.dueAt ?? '-'}, approvers ${a.level.assignees.map((x) => `${x.email}${x.unnotified ? ' (not notified)' : ''}`).join(', ') || '(none)'}`,
      ...(a.warnings ?? []).map((w) => `  WARNING ${w.code}: ${w.message}`),
      ...(a.actions ?? []).map(
        (x) => `  ${x.at} ${x.action} ${x.actor}${x.reason ? `: ${x.reason}` : ''}`,
      ),
    ].join('\n'),
  );
  return 0;
}
