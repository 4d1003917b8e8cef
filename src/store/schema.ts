import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by migrations/. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;
type BigId = ColumnType<string, never, never>;

export interface EventsTable {
  id: Generated<BigId>;
  source: string;
  type: string;
  dedupe_key: string;
  payload: Json;
  received_at: Timestamp;
  runs_started: Generated<number>;
  /** sha256 of the payload's canonical JSON; null for events stored before migration 0009. */
  payload_hash: string | null;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  hash: string;
  definition: Json;
  source_file: string | null;
  created_at: Timestamp;
}

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

export interface RunsTable {
  id: Generated<BigId>;
  workflow_id: string;
  workflow_hash: string;
  event_id: string | null;
  parent_run_id: string | null;
  parent_seq: number | null;
  status: RunStatus;
  input: Json;
  cursor: string | null;
  seq: Generated<number>;
  step_attempt: Generated<number>;
  wake_pending: Generated<boolean>;
  output: Json | null;
  error: Json | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  available_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface RunStepsTable {
  run_id: string;
  seq: number;
  attempt: number;
  step_id: string;
  step_type: string;
  status: 'completed' | 'failed' | 'waiting';
  output: Json | null;
  error: Json | null;
  started_at: Timestamp;
  ended_at: Timestamp;
}

export interface SignalsTable {
  id: Generated<BigId>;
  run_id: string;
  name: string;
  payload: Json | null;
  sent_at: Timestamp;
  consumed_seq: number | null;
}

export interface ExceptionCasesTable {
  id: Generated<BigId>;
  run_id: string | null;
  kind: string;
  status: 'open' | 'retrying' | 'resolved' | 'replayed';
  step_id: string | null;
  error: Json | null;
  opened_at: Timestamp;
  closed_at: Timestamp | null;
}

/** Per-minute call and error counts of each connector (migrations/0007), written by additive upserts. */
export interface ConnectorStatsTable {
  bucket_start: Timestamp;
  /** `odoo:<connection name>` or `carrier:<code>`. */
  connector: string;
  /** bigint: read as a string on PostgreSQL. */
  calls: ColumnType<string | number, number, number>;
  errors: ColumnType<string | number, number, number>;
}

export interface Database {
  events: EventsTable;
  workflow_versions: WorkflowVersionsTable;
  runs: RunsTable;
  run_steps: RunStepsTable;
  signals: SignalsTable;
  exception_cases: ExceptionCasesTable;
  connector_stats: ConnectorStatsTable;
}
