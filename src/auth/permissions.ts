/**
 * Roles and what each may do: the permission matrix. Every API route names one permission
 * (src/api/routes); a token's scopes narrow its user's role further, never widen it.
 */
export const Role = {
  admin: 'admin',
  integrator: 'integrator',
  operator: 'operator',
  approver: 'approver',
  viewer: 'viewer',
  auditor: 'auditor',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES = Object.values(Role) as [Role, ...Role[]];

export const Permission = {
  eventsRead: 'events:read',
  eventsSend: 'events:send',
  workflowsRead: 'workflows:read',
  workflowsSimulate: 'workflows:simulate',
  /** Save a workflow text as a new version from the dashboard's editor (audited). */
  workflowsWrite: 'workflows:write',
  runsRead: 'runs:read',
  /** Replay and cancel: the operator's exception work. */
  runsOperate: 'runs:operate',
  /** Signals decide waiting runs (approvals): the approver's work. */
  runsSignal: 'runs:signal',
  sourcesRead: 'sources:read',
  sourcesWrite: 'sources:write',
  secretsRead: 'secrets:read',
  secretsWrite: 'secrets:write',
  usersRead: 'users:read',
  usersWrite: 'users:write',
  /** Create, list and revoke one's own tokens. */
  tokensOwn: 'tokens:own',
  auditRead: 'audit:read',
  metricsRead: 'metrics:read',
  approvalsRead: 'approvals:read',
  /** Decide requests one is an approver (or delegate) of; manage one's own delegations. */
  approvalsDecide: 'approvals:decide',
  exceptionsRead: 'exceptions:read',
  /** Work the exception queue: assign, comment, retry, replay, resolve, reopen. */
  exceptionsOperate: 'exceptions:operate',
  /** Retrain and evaluate the AI models over the API (what `crossdock ai train` / `ai eval` do): administrators only. */
  aiTrain: 'ai:train',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const PERMISSIONS = Object.values(Permission) as [Permission, ...Permission[]];

const P = Permission;
const READ = [
  P.eventsRead,
  P.workflowsRead,
  P.runsRead,
  P.sourcesRead,
  P.metricsRead,
  P.tokensOwn,
  P.approvalsRead,
  P.exceptionsRead,
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  integrator: [
    ...READ,
    P.eventsSend,
    P.workflowsSimulate,
    P.workflowsWrite,
    P.sourcesWrite,
    P.secretsRead,
    P.secretsWrite,
  ],
  operator: [...READ, P.eventsSend, P.workflowsSimulate, P.runsOperate, P.exceptionsOperate],
  approver: [
    P.workflowsRead,
    P.runsRead,
    P.runsSignal,
    P.tokensOwn,
    P.approvalsRead,
    P.approvalsDecide,
  ],
  viewer: READ,
  auditor: [...READ, P.usersRead, P.secretsRead, P.auditRead],
};

/**
 * What a token limited to some event sources may still do: send as them, and the reads and
 * actions the API filters by an event's source (events, runs: a run belongs to the source
 * of the event that started it, a subflow to its parent's). Reads that are not filtered by
 * source (approvals, exceptions, audit, users, secrets) show other sources' payloads, so
 * such a token never has them, whatever its scopes say.
 */
export const SOURCE_SCOPED_PERMISSIONS: readonly Permission[] = [
  P.eventsRead,
  P.eventsSend,
  P.runsRead,
  P.runsOperate,
  P.runsSignal,
  P.workflowsRead,
  P.workflowsSimulate,
  P.sourcesRead,
  P.metricsRead,
  P.tokensOwn,
];

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as string[]).includes(value);
}
