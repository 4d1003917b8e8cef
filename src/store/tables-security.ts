/** The security tables, part of the one typed map in tables.ts. */
import { bigint, boolean, identity, integer, jsonb, text, timestamptz } from './columns.ts';

/** 0003, 0010 and 0017: identity and access, second factors, the audit log, secrets and webhook sources. */
export const securityTables = {
  users: {
    id: identity(),
    email: text(),
    name: text().orNull(),
    role: text<'admin' | 'integrator' | 'operator' | 'approver' | 'viewer' | 'auditor'>(),
    kind: text<'person' | 'service'>().defaulted(),
    password_hash: text().orNull(),
    disabled_at: timestamptz().orNull(),
    created_at: timestamptz(),
  },
  api_tokens: {
    id: identity(),
    user_id: bigint(),
    name: text(),
    token_hash: text(),
    scopes: jsonb<string[]>(),
    event_sources: jsonb<string[]>().orNull(),
    expires_at: timestamptz().orNull(),
    revoked_at: timestamptz().orNull(),
    last_used_at: timestamptz().orNull(),
    created_at: timestamptz(),
    created_by: bigint().orNull(),
  },
  sessions: {
    id_hash: text(),
    user_id: bigint(),
    created_at: timestamptz(),
    expires_at: timestamptz(),
    revoked_at: timestamptz().orNull(),
  },
  audit_log: {
    seq: bigint(),
    at: timestamptz(),
    actor: text(),
    action: text(),
    target: text().orNull(),
    details: jsonb(),
    request_id: text().orNull(),
    prev_hash: text(),
    hash: text(),
  },
  /** One row: the newest (seq, hash) of audit_log. */
  audit_head: {
    id: boolean().defaulted(),
    seq: bigint(),
    hash: text(),
  },
  secrets: {
    name: text(),
    key_id: text(),
    /** "v1:<key id>:<iv>:<tag>:<data>", AES-256-GCM with the name as additional data. */
    ciphertext: text(),
    description: text().orNull(),
    created_at: timestamptz(),
    updated_at: timestamptz(),
  },
  webhook_sources: {
    name: text(),
    verification: text<'hmac-sha256' | 'header-hmac' | 'path-token'>(),
    secret_name: text(),
    signature_header: text().orNull(),
    tolerance_s: integer().defaulted(),
    mapping: jsonb(),
    enabled: boolean().defaulted(),
    created_at: timestamptz(),
    updated_at: timestamptz(),
    key_conflict: text<'record' | 'case'>().defaulted(),
  },
  webhook_deliveries: {
    source: text(),
    signature: text(),
    seen_at: timestamptz(),
  },
  /** migrations/0010: one TOTP authenticator per user (auth/totp-factors.ts). */
  user_totp: {
    user_id: bigint(),
    key_id: text(),
    /** "v1:<key id>:<iv>:<tag>:<data>", AES-256-GCM with "totp:user:<id>" as additional data. */
    secret_sealed: text(),
    created_at: timestamptz(),
    confirmed_at: timestamptz().orNull(),
    last_step: bigint().orNull(),
    failures: integer().defaulted(),
    locked_until: timestamptz().orNull(),
  },
  /** migrations/0017: the single-use recovery codes of a TOTP authenticator (auth/totp-recovery.ts). */
  user_totp_recovery: {
    user_id: bigint(),
    slot: integer(),
    /** 16 random bytes, hex: the HMAC key of this code's digest. */
    salt: text(),
    /** HMAC-SHA-256(salt, code), hex; the code itself is never stored. */
    code_hash: text(),
    created_at: timestamptz(),
    used_at: timestamptz().orNull(),
  },
};
