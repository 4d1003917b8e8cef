import { Permission } from './permissions.ts';
import { PERSON_ONLY } from './engine-identity.ts';

const P = Permission;

/**
 * Every command that can run through a running instance's API (`--api`, or the embedded
 * store held by `start`), with the permission its API route needs. A new remote command
 * adds its line here; the local command-line token's scopes are derived from this table.
 */
export const REMOTE_COMMAND_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'runs list': P.runsRead,
  'runs show': P.runsRead,
  'runs replay': P.runsOperate,
  'runs cancel': P.runsOperate,
  'runs signal': P.runsSignal,
  'events send': P.eventsSend,
  'workflows save': P.workflowsWrite,
  'approvals list': P.approvalsRead,
  'approvals show': P.approvalsRead,
  'approvals approve': P.approvalsDecide,
  'approvals reject': P.approvalsDecide,
  'exceptions list': P.exceptionsRead,
  'exceptions show': P.exceptionsRead,
  'exceptions retry': P.exceptionsOperate,
  'exceptions replay': P.exceptionsOperate,
  'exceptions resolve': P.exceptionsOperate,
  'exceptions act': P.exceptionsOperate,
  'ai reviews': P.exceptionsRead,
  'ai show': P.exceptionsRead,
  'ai risk': P.exceptionsRead,
  'ai accept': P.exceptionsOperate,
  'ai override': P.exceptionsOperate,
  reconcile: P.exceptionsOperate,
  'audit verify': P.auditRead,
  'audit export': P.auditRead,
  'users list': P.usersRead,
  'users add': P.usersWrite,
  'users disable': P.usersWrite,
  'tokens create': P.tokensOwn,
  'tokens list': P.tokensOwn,
  'tokens revoke': P.tokensOwn,
  'secrets list': P.secretsRead,
  'secrets set': P.secretsWrite,
};

/**
 * The scopes of the token `start` keeps for the command line on the same machine (embedded
 * store only): what the remote commands need, less the permissions that are a person's
 * (PERSON_ONLY: deciding approvals, managing users, sources and secrets). Those commands
 * answer FORBIDDEN with the local token and work with the person's own CROSSDOCK_TOKEN.
 */
export function localCliScopes(): Permission[] {
  return [...new Set(Object.values(REMOTE_COMMAND_PERMISSIONS))]
    .filter((p) => !PERSON_ONLY.includes(p))
    .sort();
}
