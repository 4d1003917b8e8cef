import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { base32Encode, CODE_SHAPE } from './totp.ts';

type Db = Kysely<Database>;

/** How many recovery codes a set holds, and their shape: 16 base32 characters (80 bits). */
export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;
export const RECOVERY_CODE_SHAPE = /^[A-Z2-7]{16}$/;

/** A code as typed: spaces and dashes dropped, letters upper-cased. */
export const normalizeFactorCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

/** Whether a (normalized) code is a TOTP code or a recovery code, by its shape. */
export const isFactorCode = (code: string) =>
  CODE_SHAPE.test(code) || RECOVERY_CODE_SHAPE.test(code);

/** "ABCD-EFGH-IJKL-MNOP": how a code is shown (typed back with or without the dashes). */
const shown = (code: string) => code.match(/.{4}/g)!.join('-');

const digest = (salt: Buffer, code: string) =>
  createHmac('sha256', salt).update(code, 'utf8').digest();

/** What looking a recovery code up found. */
export type RecoveryUse =
  { outcome: 'used_now'; remaining: number } | { outcome: 'already_used' } | { outcome: 'unknown' };

/**
 * The recovery codes of a user's authenticator (table user_totp_recovery, migration 0017):
 * a set of ten single-use codes replacing a TOTP code when the phone is lost. Each is kept
 * as HMAC-SHA-256 under its own random salt: a code carries 80 random bits, so a slow hash
 * (argon2, as for passwords) adds nothing against guessing it from a digest, while checking
 * a typed code against the set would cost ten argon2 runs. The caller holds the lock of the
 * user's user_totp row, so a code is spent once even by concurrent checks.
 */
export const recoveryCodes = {
  /** Replaces the user's set with a new one; the codes are returned this once, for display. */
  async replace(tx: Db, userId: string, now: Date): Promise<string[]> {
    await sql`DELETE FROM user_totp_recovery WHERE user_id = ${userId}`.execute(tx);
    const codes: string[] = [];
    for (let slot = 1; slot <= RECOVERY_CODE_COUNT; slot++) {
      const code = base32Encode(randomBytes(CODE_BYTES));
      const salt = randomBytes(16);
      await sql`INSERT INTO user_totp_recovery (user_id, slot, salt, code_hash, created_at)
        VALUES (${userId}, ${slot}, ${salt.toString('hex')}, ${digest(salt, code).toString('hex')}, ${now})`.execute(
        tx,
      );
      codes.push(shown(code));
    }
    return codes;
  },

  /** Unused codes left in the user's set. */
  async remaining(db: Db, userId: string): Promise<number> {
    const row = (
      await sql<{
        n: number | string;
      }>`SELECT count(*) AS n FROM user_totp_recovery WHERE user_id = ${userId} AND used_at IS NULL`.execute(
        db,
      )
    ).rows[0];
    return Number(row?.n ?? 0);
  },

  /**
   * Spends a (normalized) recovery code. Every code of the set is compared, in constant
   * time, so the answer's timing does not say which matched.
   */
  async use(tx: Db, userId: string, code: string, now: Date): Promise<RecoveryUse> {
    const rows = (
      await sql<{
        slot: number;
        salt: string;
        code_hash: string;
        used_at: Date | null;
      }>`SELECT slot, salt, code_hash, used_at FROM user_totp_recovery WHERE user_id = ${userId} ORDER BY slot`.execute(
        tx,
      )
    ).rows;
    let found: (typeof rows)[number] | undefined;
    for (const row of rows) {
      const expected = Buffer.from(row.code_hash, 'hex');
      const actual = digest(Buffer.from(row.salt, 'hex'), code);
      if (expected.length === actual.length && timingSafeEqual(expected, actual)) found ??= row;
    }
    if (!found) return { outcome: 'unknown' };
    if (found.used_at !== null) return { outcome: 'already_used' };
    await sql`UPDATE user_totp_recovery SET used_at = ${now} WHERE user_id = ${userId} AND slot = ${found.slot}`.execute(
      tx,
    );
    return {
      outcome: 'used_now',
      remaining: rows.filter((r) => r.used_at === null).length - 1,
    };
  },
};
