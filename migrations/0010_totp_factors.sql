-- Second factors: one TOTP authenticator per user (RFC 6238), for approval levels that ask
-- for a step-up. The secret is sealed with the secrets key (AES-256-GCM, the name
-- "totp:user:<id>" as authenticated data) and never leaves the server after enrolment.
CREATE TABLE user_totp (
  user_id        bigint      PRIMARY KEY REFERENCES users (id),
  -- Which key sealed the secret (the keyring must hold it; rotation re-seals).
  key_id         text        NOT NULL,
  secret_sealed  text        NOT NULL,
  created_at     timestamptz NOT NULL,
  -- Null until a first valid code confirms the enrolment: only confirmed factors step up.
  confirmed_at   timestamptz,
  -- The newest time step a code was accepted for: a code of that step or older is a replay.
  last_step      bigint,
  -- Wrong codes in a row; at five the factor is refused until locked_until.
  failures       integer     NOT NULL DEFAULT 0,
  locked_until   timestamptz
);
