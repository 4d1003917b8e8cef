import {
  bigint,
  bigintCount,
  boolean,
  identity,
  integer,
  jsonb,
  numeric,
  text,
  timestamptz,
} from './columns.ts';
import { integrationTables } from './tables-integrations.ts';
import { securityTables } from './tables-security.ts';

/**
 * Every table migrations/ creates, column by column, in migration order. A column added by a
 * later migration sits with its table. test/contract/schema.test.ts applies the
 * migrations on the store under test and fails naming any table or column that differs.
 * Unions on text columns repeat the migration's CHECK constraint.
 */

export const RunStatus = {
  queued: 'queued',
  ready: 'ready',
  running: 'running',
  waiting: 'waiting',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];
export const ENDED_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export type CaseStatus = 'open' | 'retrying' | 'resolved' | 'replayed';
export type CaseType =
  'dead_letter' | 'odoo_refusal' | 'raised' | 'check' | 'event_conflict' | 'event_order';
export type CaseSeverity = 'low' | 'medium' | 'high' | 'critical';
/** What a case is about: an Odoo record, a shipment ... */
export interface CaseSubject {
  model: string;
  id: string | number;
  name?: string;
}

/** 0001: events, runs and their checkpoints. */
const engineTables = {
  events: {
    id: identity(),
    source: text(),
    type: text(),
    dedupe_key: text(),
    payload: jsonb(),
    received_at: timestamptz(),
    runs_started: integer().defaulted(),
    /** sha256 of the payload's canonical JSON (0009); null for events stored before it. */
    payload_hash: text().orNull(),
  },
  workflow_versions: {
    workflow_id: text(),
    hash: text(),
    definition: jsonb(),
    source_file: text().orNull(),
    created_at: timestamptz(),
    source_text: text().orNull(),
  },
  runs: {
    id: identity(),
    workflow_id: text(),
    workflow_hash: text(),
    event_id: bigint().orNull(),
    parent_run_id: bigint().orNull(),
    parent_seq: integer().orNull(),
    status: text<RunStatus>(),
    input: jsonb(),
    cursor: text().orNull(),
    seq: integer().defaulted(),
    step_attempt: integer().defaulted(),
    wake_pending: boolean().defaulted(),
    output: jsonb().orNull(),
    error: jsonb().orNull(),
    concurrency_key: text().orNull(),
    concurrency_limit: integer().orNull(),
    due_by: timestamptz().orNull(),
    available_at: timestamptz(),
    lease_owner: text().orNull(),
    lease_expires_at: timestamptz().orNull(),
    created_at: timestamptz(),
    started_at: timestamptz().orNull(),
    ended_at: timestamptz().orNull(),
    updated_at: timestamptz(),
  },
  run_steps: {
    run_id: bigint(),
    seq: integer(),
    attempt: integer(),
    step_id: text(),
    step_type: text(),
    status: text<'completed' | 'failed' | 'waiting'>(),
    output: jsonb().orNull(),
    error: jsonb().orNull(),
    started_at: timestamptz(),
    ended_at: timestamptz(),
  },
  signals: {
    id: identity(),
    run_id: bigint(),
    name: text(),
    payload: jsonb().orNull(),
    sent_at: timestamptz(),
    consumed_seq: integer().orNull(),
  },
  /** 0001 (dead letters), grown by 0004 into the exception queue. */
  exception_cases: {
    id: identity(),
    run_id: bigint().orNull(),
    /** Where the case came from: run_failed, raised, check ... */
    kind: text(),
    status: text<CaseStatus>(),
    step_id: text().orNull(),
    error: jsonb<{ code?: string; message?: string }>().orNull(),
    opened_at: timestamptz(),
    closed_at: timestamptz().orNull(),
    type: text<CaseType>().defaulted(),
    severity: text<CaseSeverity>().defaulted(),
    title: text().orNull(),
    subject: jsonb<CaseSubject>().orNull(),
    owner_team: text().orNull(),
    owner_user_id: bigint().orNull(),
    due_at: timestamptz().orNull(),
    error_code: text().orNull(),
    workflow_id: text().orNull(),
    input: jsonb().orNull(),
    details: jsonb<Record<string, unknown>>().orNull(),
    open_key: text().orNull(),
    reason_code: text().orNull(),
    resolution: text().orNull(),
    updated_at: timestamptz(),
  },
  /** 0004: every change to a case. */
  exception_events: {
    id: identity(),
    case_id: bigint(),
    at: timestamptz(),
    actor: text(),
    action: text(),
    details: jsonb<Record<string, unknown>>().defaulted(),
  },
};

/** 0002, 0007, 0009: where pollers are, connector counts, event integrity. */
const intakeTables = {
  odoo_poll_cursors: {
    source: text(),
    event: text(),
    /** Odoo's naive UTC "YYYY-MM-DD HH:MM:SS". */
    write_date: text(),
    record_id: integer(),
    floor_write_date: text(),
    updated_at: timestamptz(),
  },
  /** Per-minute call and error counts of each connector, written by additive upserts. */
  connector_stats: {
    bucket_start: timestamptz(),
    /** `odoo:<connection name>` or `carrier:<code>`. */
    connector: text(),
    calls: bigintCount(),
    errors: bigintCount(),
  },
  event_key_conflicts: {
    id: identity(),
    event_id: bigint(),
    source: text(),
    dedupe_key: text(),
    /** The ingress it came through: api, webhook, odoo, carrier, cli. */
    door: text(),
    payload_hash: text(),
    payload: jsonb(),
    deliveries: integer().defaulted(),
    first_seen_at: timestamptz(),
    last_seen_at: timestamptz(),
    case_id: bigint().orNull(),
  },
  event_order_heads: {
    source: text(),
    order_key: text(),
    sequence: numeric().orNull(),
    event_id: bigint().orNull(),
    updated_at: timestamptz(),
  },
  event_order_held: {
    id: identity(),
    event_id: bigint(),
    workflow_id: text(),
    workflow_hash: text(),
    first_step_id: text(),
    concurrency_key: text().orNull(),
    concurrency_limit: integer().orNull(),
    source: text(),
    order_key: text(),
    sequence: numeric(),
    head_sequence: numeric().orNull(),
    policy: text<'skip' | 'park' | 'case'>(),
    status: text<'skipped' | 'parked' | 'released' | 'case'>(),
    case_id: bigint().orNull(),
    run_id: bigint().orNull(),
    held_at: timestamptz(),
    released_at: timestamptz().orNull(),
  },
};

/** 0005, 0006, 0008: the notification outbox and governed approvals. */
const workTables = {
  notifications: {
    id: identity(),
    dedupe_key: text(),
    channel: text<'email' | 'chat'>(),
    recipients: jsonb<string[]>(),
    subject: text().defaulted(),
    body_text: text(),
    body_html: text().orNull(),
    template: text().orNull(),
    status: text<'pending' | 'sending' | 'sent' | 'failed' | 'dead'>().defaulted(),
    attempts: integer().defaulted(),
    next_attempt_at: timestamptz(),
    last_error_code: text().orNull(),
    last_error: text().orNull(),
    message_id: text(),
    provider_message_id: text().orNull(),
    created_at: timestamptz(),
    sent_at: timestamptz().orNull(),
  },
  approver_profiles: {
    user_id: bigint(),
    groups: jsonb<string[]>().defaulted(),
    manager_id: bigint().orNull(),
    odoo_user_id: integer().orNull(),
    updated_at: timestamptz(),
  },
  approval_delegations: {
    id: identity(),
    user_id: bigint(),
    delegate_id: bigint(),
    starts_at: timestamptz(),
    ends_at: timestamptz(),
    reason: text().orNull(),
    created_by: text(),
    created_at: timestamptz(),
    revoked_at: timestamptz().orNull(),
  },
  approval_requests: {
    id: identity(),
    step_key: text(),
    run_id: bigint(),
    workflow_id: text(),
    subject: jsonb(),
    summary: text(),
    policy: jsonb().orNull(),
    requester: text().orNull(),
    conflicts: jsonb().defaulted(),
    chain: jsonb(),
    status: text<'pending' | 'approved' | 'rejected' | 'cancelled'>(),
    level: integer().defaulted(),
    assignees: jsonb().defaulted(),
    level_started_at: timestamptz(),
    level_due_at: timestamptz().orNull(),
    level_reminded_at: timestamptz().orNull(),
    escalations: integer().defaulted(),
    breached: boolean().defaulted(),
    created_at: timestamptz(),
    decided_at: timestamptz().orNull(),
    decision_reason: text().orNull(),
    /** 0008: requests with equal keys at the same level may be approved together. */
    bulk_group: text().orNull(),
  },
  approval_actions: {
    id: identity(),
    request_id: bigint(),
    at: timestamptz(),
    level: integer(),
    action: text(),
    actor: text(),
    user_id: bigint().orNull(),
    on_behalf_of: bigint().orNull(),
    via: text(),
    reason: text().orNull(),
    details: jsonb().defaulted(),
  },
  approval_links: {
    token_hash: text(),
    request_id: bigint(),
    level: integer(),
    user_id: bigint(),
    expires_at: timestamptz(),
    used_at: timestamptz().orNull(),
    created_at: timestamptz(),
  },
  workflow_edits: {
    workflow_id: text(),
    base_hash: text(),
    hash: text(),
    saved_by: text(),
    saved_at: timestamptz(),
  },
};

/** The bookkeeping table migrate() itself creates before the first migration. */
const migrationTables = {
  schema_migrations: {
    version: integer(),
    name: text(),
    applied_at: timestamptz().defaulted(),
  },
};

export const tables = {
  ...engineTables,
  ...intakeTables,
  ...securityTables,
  ...workTables,
  ...integrationTables,
  ...migrationTables,
};
