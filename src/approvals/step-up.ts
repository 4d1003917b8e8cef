import { lockedError, type TotpCheck } from '../auth/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { record, type ApprovalsContext, type Decider } from './context.ts';
import type { Db, RequestRow } from './model.ts';

/** How an accepted step-up was proven, for the decision's history and audit entry. */
export type StepUpProof =
  { stepUp: 'totp' } | { stepUp: 'recovery_code'; recoveryCodesRemaining: number };

/**
 * For a level with `step_up: true`: how the decider proved it when the code is valid (and
 * now spent: a TOTP code, or one of their recovery codes), else the refusal, recorded in the request's history (action `step_up_refused`, the code
 * of the refusal in its details) before the caller returns it. The code is the decider's
 * own, also when they decide for someone else (a delegation): it proves who is acting.
 */
export async function stepUpRefusal(
  c: ApprovalsContext,
  tx: Db,
  r: RequestRow,
  who: Decider,
  code: string | undefined,
): Promise<CrossdockError | StepUpProof | null> {
  const level = r.chain[r.level]!;
  if (!level.step_up) return null;
  const factor = c.o.secondFactor;
  const enrolled = factor ? (await factor.status(who.userId, tx)).enrolled : false;
  const check: TotpCheck | null =
    !enrolled || !factor
      ? { outcome: 'not_enrolled' }
      : code === undefined || code.trim() === ''
        ? null
        : await factor.check(tx, who.userId, code);
  if (check?.outcome === 'accepted')
    return check.via === 'totp'
      ? { stepUp: 'totp' }
      : { stepUp: 'recovery_code', recoveryCodesRemaining: check.remaining };
  const error = stepUpError(check, String(r.id), level.name);
  await record(c, tx, r, {
    action: 'step_up_refused',
    actor: who.actor,
    userId: who.userId,
    via: 'system',
    reason: error.message,
    details: { code: error.code },
  });
  return error;
}

function stepUpError(
  check: Exclude<TotpCheck, { outcome: 'accepted' }> | null,
  id: string,
  level: string,
): CrossdockError {
  const policy = { category: 'policy', retryable: false } as const;
  const codeDetail = (message: string) => ({
    ...policy,
    details: [{ path: 'code', message }],
  });
  if (check === null)
    return new CrossdockError(
      'APPROVAL_STEP_UP_REQUIRED',
      `Level "${level}" of request ${id} needs a second factor: send the six-digit code your authenticator app shows (or one of your recovery codes)`,
      codeDetail('required at this level'),
    );
  switch (check.outcome) {
    case 'not_enrolled':
      return new CrossdockError(
        'APPROVAL_STEP_UP_NOT_ENROLLED',
        `Level "${level}" of request ${id} needs a second factor and you have no authenticator enrolled: enrol one (the dashboard's /app/authenticator page, or POST /api/v1/auth/totp then POST /api/v1/auth/totp/confirm with its first code), then decide again`,
        policy,
      );
    case 'invalid':
      return new CrossdockError(
        'APPROVAL_STEP_UP_INVALID',
        `The code is not valid for your authenticator now (wrong ${check.failures} time(s) in a row); your decision on request ${id} was not recorded`,
        codeDetail('not the current code'),
      );
    case 'replayed':
      return new CrossdockError(
        'APPROVAL_STEP_UP_REPLAYED',
        `That code was already used; wait for the next one. Your decision on request ${id} was not recorded`,
        codeDetail('already used'),
      );
    case 'recovery_used':
      return new CrossdockError(
        'APPROVAL_STEP_UP_RECOVERY_USED',
        `That recovery code was already used: each counts once. Use another one, or a code from your authenticator. Your decision on request ${id} was not recorded`,
        codeDetail('recovery code already used'),
      );
    case 'locked':
      return lockedError(check.until);
  }
}
