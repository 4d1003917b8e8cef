-- Recovery codes of a TOTP authenticator (auth/totp-recovery.ts): ten single-use codes,
-- shown once when the enrolment is confirmed (or the set regenerated with a valid code),
-- kept only as salted HMAC-SHA-256 digests. Removing or resetting the authenticator
-- removes its codes with it.
CREATE TABLE user_totp_recovery (
  user_id     bigint      NOT NULL REFERENCES user_totp (user_id) ON DELETE CASCADE,
  -- 1 to 10: the position in the set shown to the user.
  slot        integer     NOT NULL,
  -- 16 random bytes, hex: the HMAC key of this code's digest.
  salt        text        NOT NULL,
  -- HMAC-SHA-256(salt, code), hex; the code itself is never stored.
  code_hash   text        NOT NULL,
  created_at  timestamptz NOT NULL,
  -- Set when the code is used: it is refused from then on.
  used_at     timestamptz,
  PRIMARY KEY (user_id, slot)
);
