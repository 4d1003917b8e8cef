-- Identity and access, the audit log, encrypted secrets and external webhook sources.

-- People (dashboard, CLI) and service accounts (the engine's own token). A person logs in
-- with a password (argon2id hash); a service account has no password, only tokens.
CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email         text        NOT NULL,   -- the login name, lower-cased
  name          text,
  role          text        NOT NULL CHECK (role IN ('admin','integrator','operator','approver','viewer','auditor')),
  kind          text        NOT NULL DEFAULT 'person' CHECK (kind IN ('person','service')),
  password_hash text,
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL,
  CONSTRAINT users_email UNIQUE (email)
);

-- Machine credentials. The token itself is shown once; only its sha256 is stored (a token
-- has 256 random bits, so a fast hash is enough and lets every request be checked cheaply).
CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint      NOT NULL REFERENCES users (id),
  name          text        NOT NULL,
  token_hash    text        NOT NULL,
  -- Permissions this token may use; what it can do is these AND its user's role.
  scopes        jsonb       NOT NULL,
  -- Event sources this token may send as (null: any its scopes allow).
  event_sources jsonb,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  created_at    timestamptz NOT NULL,
  created_by    bigint      REFERENCES users (id),
  CONSTRAINT api_tokens_hash UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Dashboard sessions: the cookie holds a random id, the table its sha256.
CREATE TABLE sessions (
  id_hash       text        PRIMARY KEY,
  user_id       bigint      NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The audit log: append-only and hash-chained. Entry n carries hash(n-1); hash(n) covers
-- every column of entry n and hash(n-1), so editing or removing any entry breaks the chain
-- from there on. audit_head holds the newest (seq, hash): it serialises appenders (row lock)
-- and shows a removed tail.
CREATE TABLE audit_log (
  seq           bigint      PRIMARY KEY,
  at            timestamptz NOT NULL,
  actor         text        NOT NULL,
  action        text        NOT NULL,
  target        text,
  details       jsonb       NOT NULL,
  request_id    text,
  prev_hash     text        NOT NULL,
  hash          text        NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TABLE audit_head (
  id            boolean     PRIMARY KEY DEFAULT true CHECK (id),
  seq           bigint      NOT NULL,
  hash          text        NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Connection credentials, encrypted with AES-256-GCM. `ciphertext` is
-- "v1:<key id>:<iv>:<tag>:<data>" (base64 parts); the secret's name is the additional
-- authenticated data, so a row copied under another name does not decrypt.
CREATE TABLE secrets (
  name          text        PRIMARY KEY,
  key_id        text        NOT NULL,
  ciphertext    text        NOT NULL,
  description   text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- External systems that post to /hooks/<name>: how each proves who it is, and how its
-- payload becomes a Crossdock event. The verification secret lives in `secrets`.
CREATE TABLE webhook_sources (
  name             text        PRIMARY KEY,
  verification     text        NOT NULL CHECK (verification IN ('hmac-sha256','header-hmac','path-token')),
  secret_name      text        NOT NULL,
  signature_header text,
  tolerance_s      integer     NOT NULL DEFAULT 300,
  mapping          jsonb       NOT NULL,
  enabled          boolean     NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);

-- Signatures already used (timestamped schemes): a replayed request is refused. Rows older
-- than the tolerance window are useless (a stale timestamp is refused anyway) and pruned.
CREATE TABLE webhook_deliveries (
  source        text        NOT NULL,
  signature     text        NOT NULL,
  seen_at       timestamptz NOT NULL,
  PRIMARY KEY (source, signature)
);
CREATE INDEX webhook_deliveries_seen ON webhook_deliveries (seen_at);
