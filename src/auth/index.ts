export {
  Role,
  ROLES,
  Permission,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  SOURCE_SCOPED_PERMISSIONS,
  roleAllows,
  isRole,
} from './permissions.ts';
export { actorName, type Principal } from './principal.ts';
export { Users, NewUserSchema, type User, type NewUser } from './users.ts';
export {
  Tokens,
  NewTokenSchema,
  TOKEN_PREFIX,
  hashToken,
  type TokenInfo,
  type NewToken,
} from './tokens.ts';
export { Sessions, SESSION_COOKIE, CSRF_HEADER, csrfTokenFor, csrfMatches } from './sessions.ts';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
export {
  EngineIdentity,
  ENGINE_ACCOUNT,
  localCliAccount,
  PERSON_ONLY,
  type ServiceAccount,
} from './engine-identity.ts';
export { FirstAdminSetup } from './setup.ts';
export { REMOTE_COMMAND_PERMISSIONS, localCliScopes } from './remote-permissions.ts';
export {
  TotpFactors,
  totpRefusal,
  lockedError,
  TOTP_MAX_FAILURES,
  TOTP_LOCK_MS,
  type TotpCheck,
  type TotpStatus,
} from './totp-factors.ts';
export {
  isFactorCode,
  normalizeFactorCode,
  RECOVERY_CODE_COUNT,
  RECOVERY_CODE_SHAPE,
} from './totp-recovery.ts';
export { totpAt, base32Decode, hotp, timeStep, TOTP_PERIOD_S, CODE_SHAPE } from './totp.ts';
