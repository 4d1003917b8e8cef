import { hostname } from 'node:os';
import type { Logger } from '../observability/index.ts';
import { Permission, type Role } from './permissions.ts';
import type { Tokens } from './tokens.ts';
import type { Users } from './users.ts';

export const ENGINE_USER = 'crossdock-engine';
/** The only event source the engine's token may send as. */
export const ENGINE_EVENT_SOURCE = 'crossdock';
const TTL_MS = 24 * 3_600_000;

/** A service account that a running process holds a short-lived token for. */
export interface ServiceAccount {
  user: string;
  role: Role;
  tokenName: string;
  scopes: Permission[];
  /** Null: any source its scopes allow. */
  eventSources: string[] | null;
}

export const ENGINE_ACCOUNT: ServiceAccount = {
  user: ENGINE_USER,
  role: 'operator',
  tokenName: 'engine',
  scopes: [Permission.eventsSend],
  eventSources: [ENGINE_EVENT_SOURCE],
};

/**
 * The command line on the same machine as an embedded-store instance. Whoever can read the
 * state directory can read the database files beside it, so a token kept there (0600)
 * grants nothing new; it lets `crossdock runs ...`, `approvals list`, `exceptions ...` work
 * while `start` holds the store. Its scopes are what the CLI's remote commands need (derived from
 * the table of remote commands, remote-permissions.ts), never a person's permission: it cannot decide
 * approvals (a decision is made by a person, with their own token), nor manage users,
 * sources or secrets (an administrator's token).
 */
export const PERSON_ONLY: readonly Permission[] = [
  Permission.approvalsDecide,
  Permission.usersWrite,
  Permission.secretsWrite,
  Permission.sourcesWrite,
];

export function localCliAccount(scopes: readonly Permission[]): ServiceAccount {
  const refused = scopes.filter((s) => PERSON_ONLY.includes(s));
  if (refused.length > 0)
    throw new Error(`the local command-line token may not hold ${refused.join(', ')}`);
  return {
    user: 'crossdock-local-cli',
    role: 'admin',
    tokenName: 'local-cli',
    eventSources: null,
    scopes: [...scopes],
  };
}

/**
 * The engine's own credentials for calling Crossdock's API from a workflow (the example's
 * `http.request` to /api/v1/events). Each process mints a token at start that may only
 * send events as source "crossdock", keeps its text in memory only (workflows read it as
 * `vars.apiToken`), renews it every 12 h (each lives 24 h, so a step in flight keeps a
 * valid one) and revokes it on stop. Nothing of it is written to disk or config.
 */
export class EngineIdentity {
  #timer: NodeJS.Timeout | undefined;
  #tokenId: string | undefined;
  readonly #account: ServiceAccount;

  constructor(
    private readonly users: Users,
    private readonly tokens: Tokens,
    private readonly onToken: (token: string) => void,
    private readonly logger: Logger,
    account: ServiceAccount = ENGINE_ACCOUNT,
  ) {
    this.#account = account;
  }

  async start(): Promise<void> {
    await this.#mint();
    this.#timer = setInterval(
      () =>
        void this.#mint().catch((error) =>
          this.logger.error({ err: error }, 'could not renew the engine token'),
        ),
      TTL_MS / 2,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#tokenId) await this.tokens.revoke(this.#tokenId).catch(() => undefined);
  }

  async #mint(): Promise<void> {
    const a = this.#account;
    const user = await this.users.ensureService(a.user, a.role);
    const { token, info } = await this.tokens.createInternal(
      user.id,
      `${a.tokenName}@${hostname()}:${process.pid}`,
      a.scopes,
      a.eventSources,
      TTL_MS,
    );
    this.#tokenId = info.id;
    this.onToken(token);
  }
}
