import { sql, type Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import { open, seal, type Keyring } from '../secrets/index.ts';
import type { Database } from '../store/index.ts';
import { normalizeFactorCode, RECOVERY_CODE_SHAPE, recoveryCodes } from './totp-recovery.ts';
import { base32Decode, base32Encode, matchingStep, newTotpSecret, otpauthUri } from './totp.ts';

type Db = Kysely<Database>;

/** Wrong codes in a row that lock a factor, and for how long. */
export const TOTP_MAX_FAILURES = 5;
export const TOTP_LOCK_MS = 15 * 60_000;

/**
 * What checking a code found; `accepted` has spent it (a TOTP code, or a recovery code
 * where one is allowed: `remaining` then counts the unused codes left).
 */
export type TotpCheck =
  | { outcome: 'accepted'; via: 'totp'; step: number }
  | { outcome: 'accepted'; via: 'recovery_code'; remaining: number }
  | { outcome: 'not_enrolled' }
  | { outcome: 'invalid'; failures: number }
  | { outcome: 'replayed' }
  | { outcome: 'recovery_used' }
  | { outcome: 'locked'; until: string };

export interface TotpStatus {
  enrolled: boolean;
  /** An enrolment started and not yet confirmed with a first code. */
  pending: boolean;
  confirmedAt: string | null;
  lockedUntil: string | null;
  /** Unused recovery codes of the confirmed authenticator (0 when none is enrolled). */
  recoveryCodesRemaining: number;
}

interface Row {
  user_id: string;
  secret_sealed: string;
  confirmed_at: Date | null;
  last_step: string | null;
  failures: number;
  locked_until: Date | null;
}

const sealName = (userId: string) => `totp:user:${userId}`;

/**
 * Each user's TOTP authenticator (one at most): enrolment, confirmation, removal, and the
 * check a step-up approval makes. The secret is sealed with the secrets key and is shown
 * once, when the enrolment starts; nothing returns or logs it afterwards. A code is spent
 * by the check that accepts it (`last_step` moves past its step, under the row lock), so
 * the same code, or an older one, is refused as a replay, also by a concurrent check.
 */
export class TotpFactors {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring | null,
    private readonly now: () => Date,
    private readonly issuer = 'Crossdock',
  ) {}

  async status(userId: string, db: Db = this.db): Promise<TotpStatus> {
    const row = await this.#row(db, userId, false);
    const now = this.now();
    return {
      enrolled: row?.confirmed_at != null,
      pending: row !== undefined && row.confirmed_at === null,
      confirmedAt: row?.confirmed_at ? new Date(row.confirmed_at).toISOString() : null,
      lockedUntil:
        row?.locked_until && new Date(row.locked_until) > now
          ? new Date(row.locked_until).toISOString()
          : null,
      recoveryCodesRemaining: row?.confirmed_at ? await recoveryCodes.remaining(db, userId) : 0,
    };
  }

  /**
   * Starts an enrolment: a new secret, returned once with its otpauth:// URI for a QR code.
   * Refused while a confirmed authenticator exists (remove it first); an unconfirmed one is
   * replaced.
   */
  async start(userId: string, account: string): Promise<{ secret: string; otpauthUri: string }> {
    const keyring = this.#keyring();
    return this.db.transaction().execute(async (tx) => {
      const existing = await this.#row(tx, userId, true);
      if (existing?.confirmed_at) throw alreadyEnrolled();
      const secret = base32Encode(newTotpSecret());
      const sealed = seal(keyring.current, sealName(userId), secret);
      await sql`INSERT INTO user_totp (user_id, key_id, secret_sealed, created_at)
        VALUES (${userId}, ${keyring.current.id}, ${sealed}, ${this.now()})
        ON CONFLICT (user_id) DO UPDATE SET key_id = EXCLUDED.key_id, secret_sealed = EXCLUDED.secret_sealed,
          created_at = EXCLUDED.created_at, confirmed_at = NULL, last_step = NULL, failures = 0, locked_until = NULL`.execute(
        tx,
      );
      return {
        secret,
        otpauthUri: otpauthUri({ issuer: this.issuer, account, secret }),
      };
    });
  }

  /**
   * Confirms a started enrolment with a first valid code; from then on the factor steps up.
   * Returns the ten recovery codes of the new factor, this once.
   */
  async confirm(userId: string, code: string): Promise<TotpStatus & { recoveryCodes: string[] }> {
    let codes: string[] = [];
    const check = await this.db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, userId, true);
      if (!row) return { outcome: 'not_enrolled' } as const;
      if (row.confirmed_at) throw alreadyEnrolled();
      const result = await this.#spend(tx, row, code, false);
      if (result.outcome === 'accepted') {
        await sql`UPDATE user_totp SET confirmed_at = ${this.now()} WHERE user_id = ${userId}`.execute(
          tx,
        );
        codes = await recoveryCodes.replace(tx, userId, this.now());
      }
      return result;
    });
    throwUnlessAccepted(check);
    return { ...(await this.status(userId)), recoveryCodes: codes };
  }

  /**
   * A new set of recovery codes, proven by a current code of the authenticator itself (not a
   * recovery code); the old set stops working. The codes are returned this once.
   */
  async regenerateRecoveryCodes(userId: string, code: string): Promise<string[]> {
    let codes: string[] = [];
    const check = await this.db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, userId, true);
      if (!row?.confirmed_at) return { outcome: 'not_enrolled' } as const;
      const result = await this.#spend(tx, row, code, false);
      if (result.outcome === 'accepted')
        codes = await recoveryCodes.replace(tx, userId, this.now());
      return result;
    });
    throwUnlessAccepted(check);
    return codes;
  }

  /** Removes one's own authenticator, proven by a valid code from it or a recovery code. */
  async remove(userId: string, code: string): Promise<{ via: 'totp' | 'recovery_code' }> {
    const check = await this.db.transaction().execute(async (tx) => {
      const row = await this.#row(tx, userId, true);
      if (!row?.confirmed_at) return { outcome: 'not_enrolled' } as const;
      const result = await this.#spend(tx, row, code, true);
      if (result.outcome === 'accepted')
        await sql`DELETE FROM user_totp WHERE user_id = ${userId}`.execute(tx);
      return result;
    });
    throwUnlessAccepted(check);
    return { via: check.via };
  }

  /** An administrator's reset (a lost phone): the user enrols again. False when there was none. */
  async reset(userId: string, executor: Db = this.db): Promise<boolean> {
    const result = await sql`DELETE FROM user_totp WHERE user_id = ${userId}`.execute(executor);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /**
   * Checks a code of a confirmed authenticator inside the caller's transaction (a decision):
   * the row is locked, an accepted code is spent and a wrong one counted, both committing
   * with the caller's transaction. A recovery code is accepted in place of a TOTP code.
   */
  async check(tx: Db, userId: string, code: string): Promise<TotpCheck> {
    const row = await this.#row(tx, userId, true);
    if (!row?.confirmed_at) return { outcome: 'not_enrolled' };
    return this.#spend(tx, row, code, true);
  }

  /** Re-seals every secret under the current key (after a key rotation). */
  async reseal(): Promise<{ resealed: number; total: number }> {
    const keyring = this.#keyring();
    return this.db.transaction().execute(async (tx) => {
      const rows = (
        await sql<{
          user_id: string;
          key_id: string;
          secret_sealed: string;
        }>`SELECT user_id, key_id, secret_sealed FROM user_totp ORDER BY user_id FOR UPDATE`.execute(
          tx,
        )
      ).rows;
      let resealed = 0;
      for (const row of rows) {
        if (row.key_id === keyring.current.id) continue;
        const name = sealName(String(row.user_id));
        const sealed = seal(keyring.current, name, open(keyring, name, row.secret_sealed));
        await sql`UPDATE user_totp SET key_id = ${keyring.current.id}, secret_sealed = ${sealed} WHERE user_id = ${row.user_id}`.execute(
          tx,
        );
        resealed++;
      }
      return { resealed, total: rows.length };
    });
  }

  /**
   * Checks one code against a locked row. A wrong code, TOTP or recovery, counts toward the
   * lock alike; a used one (replayed TOTP code, spent recovery code) is refused uncounted.
   */
  async #spend(tx: Db, row: Row, typed: string, allowRecovery: boolean): Promise<TotpCheck> {
    const now = this.now();
    if (row.locked_until && new Date(row.locked_until) > now)
      return { outcome: 'locked', until: new Date(row.locked_until).toISOString() };
    const code = normalizeFactorCode(typed);
    const userId = String(row.user_id);
    if (allowRecovery && RECOVERY_CODE_SHAPE.test(code)) {
      const use = await recoveryCodes.use(tx, userId, code, now);
      if (use.outcome === 'unknown') return this.#fail(tx, row, now);
      if (use.outcome === 'already_used') return { outcome: 'recovery_used' };
      await sql`UPDATE user_totp SET failures = 0, locked_until = NULL WHERE user_id = ${row.user_id}`.execute(
        tx,
      );
      return { outcome: 'accepted', via: 'recovery_code', remaining: use.remaining };
    }
    const secret = base32Decode(open(this.#keyring(), sealName(userId), row.secret_sealed));
    const step = matchingStep(secret, code, now);
    if (step === null) return this.#fail(tx, row, now);
    if (row.last_step !== null && step <= Number(row.last_step)) return { outcome: 'replayed' };
    await sql`UPDATE user_totp SET last_step = ${step}, failures = 0, locked_until = NULL
      WHERE user_id = ${row.user_id}`.execute(tx);
    return { outcome: 'accepted', via: 'totp', step };
  }

  async #fail(tx: Db, row: Row, now: Date): Promise<TotpCheck> {
    const failures = row.failures + 1;
    const lockedUntil =
      failures >= TOTP_MAX_FAILURES ? new Date(now.getTime() + TOTP_LOCK_MS) : null;
    await sql`UPDATE user_totp SET failures = ${lockedUntil ? 0 : failures}, locked_until = ${lockedUntil}
      WHERE user_id = ${row.user_id}`.execute(tx);
    return lockedUntil
      ? { outcome: 'locked', until: lockedUntil.toISOString() }
      : { outcome: 'invalid', failures };
  }

  async #row(db: Db, userId: string, lock: boolean): Promise<Row | undefined> {
    if (!/^\d{1,18}$/.test(userId)) return undefined;
    return (
      await sql<Row>`SELECT user_id, secret_sealed, confirmed_at, last_step, failures, locked_until
        FROM user_totp WHERE user_id = ${userId} ${lock ? sql`FOR UPDATE` : sql``}`.execute(db)
    ).rows[0];
  }

  #keyring(): Keyring {
    if (!this.keyring)
      throw new CrossdockError(
        'SECRETS_KEY_MISSING',
        'No secrets key is configured, so no authenticator secret can be kept: set CROSSDOCK_SECRETS_KEY or CROSSDOCK_SECRETS_KEY_FILE (see docs/OPERATIONS.md)',
        { category: 'user', retryable: false },
      );
    return this.keyring;
  }
}

const alreadyEnrolled = () =>
  new CrossdockError(
    'TOTP_ALREADY_ENROLLED',
    'An authenticator is already enrolled: remove it first with a code from it, or ask an administrator to reset it',
    { category: 'user', retryable: false },
  );

/** The refusal for a failed check of one's own code (enrolment, removal). */
export function totpRefusal(check: Exclude<TotpCheck, { outcome: 'accepted' }>): CrossdockError {
  switch (check.outcome) {
    case 'not_enrolled':
      return new CrossdockError(
        'TOTP_NOT_ENROLLED',
        'No authenticator is enrolled (or awaiting confirmation): start an enrolment first',
        { category: 'user', retryable: false },
      );
    case 'locked':
      return lockedError(check.until);
    case 'recovery_used':
      return new CrossdockError(
        'TOTP_RECOVERY_CODE_USED',
        'That recovery code was already used: each counts once. Use another one of the set, or a code from the authenticator',
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'code', message: 'recovery code already used' }],
        },
      );
    case 'invalid':
    case 'replayed':
      return new CrossdockError(
        'TOTP_CODE_INVALID',
        check.outcome === 'replayed'
          ? 'That code was already used; wait for the next one'
          : 'The code does not match the authenticator (use the six digits it shows now) nor, where accepted, an unused recovery code',
        {
          category: 'user',
          retryable: false,
          details: [{ path: 'code', message: 'not the current code' }],
        },
      );
  }
}

export const lockedError = (until: string) =>
  new CrossdockError(
    'TOTP_LOCKED',
    `Too many wrong codes: the authenticator is refused until ${until}`,
    { category: 'user', retryable: false },
  );

function throwUnlessAccepted(
  check: TotpCheck,
): asserts check is Extract<TotpCheck, { outcome: 'accepted' }> {
  if (check.outcome !== 'accepted') throw totpRefusal(check);
}
