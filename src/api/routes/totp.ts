import { z } from 'zod';
import { isFactorCode, normalizeFactorCode, Permission, type Principal } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { route } from '../route.ts';

const CodeBody = z.strictObject({
  code: z
    .string()
    .transform((c) => c.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'six digits from your authenticator app')),
});
/** Removal also takes a recovery code (the phone may be the thing that is lost). */
const RemoveBody = z.strictObject({
  code: z
    .string()
    .transform(normalizeFactorCode)
    .refine(isFactorCode, 'six digits from your authenticator app, or one of your recovery codes'),
});
const ResetBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const Id = z.string().regex(/^\d{1,18}$/, 'a numeric id');

/** A person's own authenticator: service accounts (machines) have none to show a code from. */
function person(p: Principal | null): Principal {
  if (!p || p.kind !== 'person')
    throw new CrossdockError(
      'FORBIDDEN',
      'Not allowed: only a person enrols an authenticator (this caller is a service account)',
      { category: 'user', retryable: false },
    );
  return p;
}

/** A refused code (wrong, used, locked) is audited before the refusal is answered. */
async function refusalsAudited<T>(
  audit: (entry: {
    action: string;
    target: string;
    details: Record<string, unknown>;
  }) => Promise<void>,
  p: Principal,
  doing: 'confirm' | 'remove' | 'regenerate_recovery_codes',
  act: () => Promise<T>,
): Promise<T> {
  try {
    return await act();
  } catch (error) {
    if (error instanceof CrossdockError && error.code.startsWith('TOTP_'))
      await audit({
        action: 'totp.refused',
        target: `user:${p.userId}`,
        details: { doing, code: error.code },
      });
    throw error;
  }
}

/**
 * TOTP enrolment for step-up approvals (docs/APPROVALS.md). The secret is in the answer of
 * the enrolment's start only; every change is audited, never with the secret or a code.
 */
export const totpRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/auth/totp',
    tag: 'auth',
    access: 'authenticated',
    summary:
      'Whether you have an authenticator enrolled (confirmed), awaiting confirmation, or locked',
    handler: async ({ services, principal }) => services.totp.status(person(principal).userId),
  }),
  route({
    method: 'POST',
    path: '/api/v1/auth/totp',
    tag: 'auth',
    access: 'authenticated',
    status: 201,
    summary:
      'Start enrolling an authenticator: returns its secret and otpauth:// URI (for a QR code) this once; confirm with a first code',
    handler: async ({ services, principal, audit, reply }) => {
      const p = person(principal);
      const enrolment = await services.totp.start(p.userId, p.email);
      await audit({ action: 'totp.enrol', target: `user:${p.userId}` });
      reply.header('cache-control', 'no-store');
      return { ...enrolment, confirmWith: 'POST /api/v1/auth/totp/confirm' };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/auth/totp/confirm',
    tag: 'auth',
    access: 'authenticated',
    body: CodeBody,
    summary:
      'Confirm an enrolment with the code the authenticator shows: from then on step-up levels accept its codes. Returns ten single-use recovery codes, this once',
    handler: async ({ services, principal, body, audit, reply }) => {
      const p = person(principal);
      const status = await refusalsAudited(audit, p, 'confirm', () =>
        services.totp.confirm(p.userId, body.code),
      );
      await audit({
        action: 'totp.confirm',
        target: `user:${p.userId}`,
        details: { recoveryCodes: status.recoveryCodes.length },
      });
      reply.header('cache-control', 'no-store');
      return status;
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/auth/totp/recovery-codes',
    tag: 'auth',
    access: 'authenticated',
    body: CodeBody,
    summary:
      'A new set of ten recovery codes, proven by a current code from the authenticator (not a recovery code); the old set stops working. The codes are returned this once',
    handler: async ({ services, principal, body, audit, reply }) => {
      const p = person(principal);
      const recoveryCodes = await refusalsAudited(audit, p, 'regenerate_recovery_codes', () =>
        services.totp.regenerateRecoveryCodes(p.userId, body.code),
      );
      await audit({
        action: 'totp.recovery_codes_regenerate',
        target: `user:${p.userId}`,
        details: { recoveryCodes: recoveryCodes.length },
      });
      reply.header('cache-control', 'no-store');
      return { recoveryCodes, recoveryCodesRemaining: recoveryCodes.length };
    },
  }),
  route({
    method: 'DELETE',
    path: '/api/v1/auth/totp',
    tag: 'auth',
    access: 'authenticated',
    body: RemoveBody,
    summary:
      'Remove your authenticator, proven by a current code from it or one of its recovery codes',
    handler: async ({ services, principal, body, audit }) => {
      const p = person(principal);
      const { via } = await refusalsAudited(audit, p, 'remove', () =>
        services.totp.remove(p.userId, body.code),
      );
      await audit({ action: 'totp.remove', target: `user:${p.userId}`, details: { via } });
      return { removed: true };
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/users/:id/totp/reset',
    tag: 'users',
    access: Permission.usersWrite,
    body: ResetBody,
    summary:
      "An administrator removes a user's authenticator (a lost phone), with a reason; the user enrols again",
    handler: async ({ services, params, body, audit }) => {
      const user = await services.users.get(Id.parse(params.id));
      if (!(await services.totp.reset(user.id)))
        throw new CrossdockError('TOTP_NOT_ENROLLED', `${user.email} has no authenticator`, {
          category: 'user',
          retryable: false,
        });
      await audit({
        action: 'totp.reset',
        target: `user:${user.id}`,
        details: { email: user.email, reason: body.reason },
      });
      return { reset: true, userId: user.id };
    },
  }),
];
