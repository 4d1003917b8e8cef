import type { TokenInfo } from '../auth/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface TokenFlags {
  api?: string;
  name?: string;
  user?: string;
  scopes?: string;
  'event-sources'?: string;
  'expires-days'?: string;
}

const list = (text: string | undefined) =>
  text
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/**
 * `crossdock tokens create --name N [--user email|id] [--scopes a,b] [--event-sources s] [--expires-days D] | list [--user U] | revoke <id>`.
 * The token text is printed once, on stdout; only its hash is kept.
 */
export async function tokensCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: TokenFlags,
  out: Output,
): Promise<number> {
  const [sub, arg] = rest;
  if (sub === 'create') {
    if (!flags.name)
      throw usageError(
        'usage: crossdock tokens create --name N [--user email|id] [--scopes events:send,runs:read] [--event-sources shop] [--expires-days 90]',
      );
    const expires = flags['expires-days'];
    if (expires !== undefined && !/^\d+$/.test(expires))
      throw usageError('--expires-days must be a whole number');
    const request = {
      name: flags.name,
      ...(list(flags.scopes) ? { scopes: list(flags.scopes) } : {}),
      ...(list(flags['event-sources']) ? { eventSources: list(flags['event-sources']) } : {}),
      ...(expires ? { expiresInDays: Number(expires) } : {}),
    };
    return directOrRemote(
      config,
      flags.api,
      async (c) => {
        if (!flags.user)
          throw usageError(
            '--user email|id names the token owner when the CLI works on the store directly',
          );
        const owner = /^\d+$/.test(flags.user)
          ? await c.services.users.get(flags.user)
          : await c.services.users.findByEmail(flags.user);
        if (!owner)
          throw new CrossdockError('USER_NOT_FOUND', `No user ${flags.user}`, {
            category: 'user',
            retryable: false,
          });
        if (owner.disabled)
          throw new CrossdockError('USER_DISABLED', `User ${owner.email} is disabled`, {
            category: 'user',
            retryable: false,
          });
        const created = await c.services.tokens.create(owner, request as never, null);
        await c.services.audit.append({
          actor: cliActor(),
          action: 'token.create',
          target: `token:${created.info.id}`,
          details: {
            owner: `user:${owner.id}`,
            name: created.info.name,
            scopes: created.info.scopes,
            eventSources: created.info.eventSources,
            expiresAt: created.info.expiresAt,
          },
        });
        return printCreated(created.token, created.info, out);
      },
      async (call) => {
        const userId = flags.user && /^\d+$/.test(flags.user) ? flags.user : undefined;
        if (flags.user && !userId)
          throw usageError('through the API, --user takes a user id (crossdock users list)');
        const created = await call<TokenInfo & { token: string }>('POST', '/api/v1/tokens', {
          ...request,
          ...(userId ? { userId } : {}),
        });
        const { token, ...info } = created;
        return printCreated(token, info, out);
      },
    );
  }
  if (sub === 'list') {
    return directOrRemote(
      config,
      flags.api,
      async (c) =>
        printTokens(
          await c.services.tokens.list(
            flags.user && /^\d+$/.test(flags.user) ? flags.user : undefined,
          ),
          out,
        ),
      async (call) =>
        printTokens(
          (
            await call<{ tokens: TokenInfo[] }>(
              'GET',
              `/api/v1/tokens${flags.user ? `?user=${encodeURIComponent(flags.user)}` : ''}`,
            )
          ).tokens,
          out,
        ),
    );
  }
  if (sub === 'revoke' && arg) {
    return directOrRemote(
      config,
      flags.api,
      async (c) => {
        const token = await c.services.tokens.revoke(arg);
        await c.services.audit.append({
          actor: cliActor(),
          action: 'token.revoke',
          target: `token:${token.id}`,
          details: { owner: `user:${token.userId}`, name: token.name },
        });
        out.result(token, () => `token ${token.id} (${token.name}) revoked`);
        return 0;
      },
      async (call) => {
        const token = await call<TokenInfo>('DELETE', `/api/v1/tokens/${encodeURIComponent(arg)}`);
        out.result(token, () => `token ${token.id} (${token.name}) revoked`);
        return 0;
      },
    );
  }
  throw usageError(
    'usage: crossdock tokens create --name N [...] | list [--user id] | revoke <id>',
  );
}

function printCreated(token: string, info: Omit<TokenInfo, never>, out: Output): number {
  out.result({ token, ...info }, () =>
    [
      `token ${info.id} "${info.name}" for user ${info.userId}: ${info.scopes.join(', ')}; expires ${info.expiresAt}`,
      '',
      `  ${token}`,
      '',
      'This is the only time it is shown; Crossdock keeps only a hash. Send it as: Authorization: Bearer <token>',
    ].join('\n'),
  );
  return 0;
}

function printTokens(tokens: TokenInfo[], out: Output): number {
  out.result({ tokens }, () =>
    table(
      tokens.map((t) => ({ ...t, scopes: t.scopes.join(',') })),
      ['id', 'userId', 'name', 'scopes', 'expiresAt', 'revokedAt', 'lastUsedAt'],
    ),
  );
  return 0;
}
