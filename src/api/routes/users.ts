import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { NewTokenSchema, NewUserSchema } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { route } from '../route.ts';

const TokenListQuery = z.strictObject({
  user: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});
const TokenBody = NewTokenSchema.extend({
  userId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

export const userRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/users',
    tag: 'users',
    access: Permission.usersRead,
    summary: 'All users (never a password)',
    handler: async ({ services }) => ({ users: await services.users.list() }),
  }),
  route({
    method: 'POST',
    path: '/api/v1/users',
    tag: 'users',
    access: Permission.usersWrite,
    status: 201,
    body: NewUserSchema,
    summary: 'Add a user with a role (and a password for people who sign in to the dashboard)',
    handler: async ({ services, body, audit }) => {
      const user = await services.users.create(body);
      await audit({
        action: 'user.create',
        target: `user:${user.id}`,
        details: { email: user.email, role: user.role, password: body.password !== undefined },
      });
      return user;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/users/:id',
    tag: 'users',
    access: Permission.usersRead,
    summary: 'One user',
    handler: async ({ services, params }) => services.users.get(params.id!),
  }),
  route({
    method: 'POST',
    path: '/api/v1/users/:id/disable',
    tag: 'users',
    access: Permission.usersWrite,
    summary: 'Disable a user: their sessions end and their tokens stop working at once',
    handler: async ({ services, params, audit }) => {
      const disabled = await services.users.disable(params.id!);
      services.tokens.forget(); // their tokens stop at the next request, not when the cache would expire
      await audit({
        action: 'user.disable',
        target: `user:${disabled.id}`,
        details: { email: disabled.email },
      });
      return disabled;
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/tokens',
    tag: 'tokens',
    access: Permission.tokensOwn,
    query: TokenListQuery,
    summary: "Your API tokens (an admin may ask for another user's, or all); never the token text",
    handler: async ({ services, principal, query }) => {
      const mayManage = principal!.permissions.has(Permission.usersWrite);
      if (query.user && query.user !== principal!.userId && !mayManage) throw forbidden();
      return { tokens: await services.tokens.list(mayManage ? query.user : principal!.userId) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/tokens',
    tag: 'tokens',
    access: Permission.tokensOwn,
    status: 201,
    body: TokenBody,
    summary: 'Create an API token; its text is in this answer only (stored as a hash)',
    handler: async ({ services, principal, body, audit }) => {
      const { userId, ...request } = body;
      if (
        userId &&
        userId !== principal!.userId &&
        !principal!.permissions.has(Permission.usersWrite)
      )
        throw forbidden();
      const owner = await services.users.get(userId ?? principal!.userId);
      if (owner.disabled)
        throw new CrossdockError('USER_DISABLED', `User ${owner.id} is disabled`, {
          category: 'user',
          retryable: false,
        });
      // A token made with a token carries no more than that token's own scopes.
      if (
        principal!.via.kind === 'token' &&
        request.scopes?.some((s) => !principal!.permissions.has(s))
      )
        throw new CrossdockError(
          'TOKEN_SCOPE_DENIED',
          'A token cannot create a token with scopes it lacks',
          { category: 'policy', retryable: false },
        );
      const scopes =
        request.scopes ??
        (principal!.via.kind === 'token' && owner.id === principal!.userId
          ? [...principal!.permissions]
          : undefined);
      const created = await services.tokens.create(
        owner,
        { ...request, ...(scopes ? { scopes } : {}) },
        principal!.userId,
      );
      await audit({
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
      return { token: created.token, ...created.info };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    tag: 'tokens',
    access: Permission.tokensOwn,
    summary: 'Revoke a token (yours; an admin may revoke any)',
    handler: async ({ services, principal, params, audit }) => {
      const token = await services.tokens.get(params.id!);
      if (token.userId !== principal!.userId && !principal!.permissions.has(Permission.usersWrite))
        throw new CrossdockError('TOKEN_NOT_FOUND', `No token ${params.id}`, {
          category: 'user',
          retryable: false,
        });
      const revoked = await services.tokens.revoke(token.id);
      await audit({
        action: 'token.revoke',
        target: `token:${token.id}`,
        details: { owner: `user:${token.userId}`, name: token.name },
      });
      return revoked;
    },
  }),
];

function forbidden(): CrossdockError {
  return new CrossdockError('FORBIDDEN', "Only an administrator may manage other users' tokens", {
    category: 'user',
    retryable: false,
  });
}
