import { z } from 'zod';
import { csrfTokenFor, MIN_PASSWORD_LENGTH, SESSION_COOKIE } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { route } from '../route.ts';

const LoginBody = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(1024),
});
const SetupBody = z.strictObject({
  code: z.string().min(1).max(200),
  email: z.string().min(1).max(254),
  name: z.string().max(200).optional(),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});

/** Sign-in for the dashboard (HTTP-only session cookie + CSRF token) and first-admin setup. */
export const authRoutes = [
  route({
    method: 'POST',
    path: '/api/v1/auth/login',
    tag: 'auth',
    access: 'public',
    body: LoginBody,
    summary:
      'Sign in: sets an HTTP-only session cookie and returns the CSRF token to send as x-csrf-token on writes',
    handler: async ({ services, body, reply, request }) => {
      const user = await services.users.checkPassword(body.email, body.password);
      if (!user) {
        await services.audit.append({
          actor: 'anonymous',
          action: 'login.failed',
          target: null,
          details: { email: body.email.slice(0, 254), ip: request.ip },
          requestId: request.id,
        });
        throw new CrossdockError(
          'LOGIN_FAILED',
          'Wrong email or password, or the user is disabled',
          { category: 'user', retryable: false },
        );
      }
      const session = await services.sessions.create(user);
      await services.audit.append({
        actor: `user:${user.id} ${user.email}`,
        action: 'login.succeeded',
        target: `user:${user.id}`,
        details: { ip: request.ip },
        requestId: request.id,
      });
      reply.setCookie(SESSION_COOKIE, session.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.server.cookieSecure,
        expires: session.expiresAt,
      });
      return { user, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/auth/logout',
    tag: 'auth',
    access: 'authenticated',
    summary: 'Sign out: ends this session',
    handler: async ({ principal, services, reply, audit }) => {
      if (principal!.via.kind === 'session') {
        await services.sessions.revoke(principal!.via.sessionHash);
        await audit({ action: 'logout', target: `user:${principal!.userId}` });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { signedOut: true };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/auth/me',
    tag: 'auth',
    access: 'authenticated',
    summary: 'Who you are and what you may do (and, for a session, the CSRF token)',
    handler: async ({ principal, request }) => {
      const p = principal!;
      const sessionId = request.cookies[SESSION_COOKIE];
      return {
        userId: p.userId,
        email: p.email,
        role: p.role,
        kind: p.kind,
        via:
          p.via.kind === 'token'
            ? { kind: 'token', tokenId: p.via.tokenId, tokenName: p.via.tokenName }
            : { kind: p.via.kind },
        permissions: [...p.permissions].sort(),
        eventSources: p.eventSources,
        ...(p.via.kind === 'session' && sessionId ? { csrfToken: csrfTokenFor(sessionId) } : {}),
      };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/setup',
    tag: 'auth',
    access: 'public',
    status: 201,
    body: SetupBody,
    summary:
      'Create the first administrator with the one-time setup code that `start` wrote to its state directory',
    handler: async ({ services, body, request }) => {
      if (!services.setup)
        throw new CrossdockError('SETUP_CODE_INVALID', 'Setup is not open on this instance', {
          category: 'user',
          retryable: false,
        });
      const { code, ...user } = body;
      const admin = await services.setup.complete(code, user);
      await services.audit.append({
        actor: 'setup-code',
        action: 'user.create',
        target: `user:${admin.id}`,
        details: { email: admin.email, role: admin.role, firstAdmin: true },
        requestId: request.id,
      });
      return admin;
    },
  }),
];
