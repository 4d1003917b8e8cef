/**
 * What the ORM needs from the running simulator. Kept as a small interface so the ORM
 * does not import the server, the automation engine or the access tables directly.
 */
import type { Env } from './orm/env.ts';
import type { Registry } from './orm/model.ts';
import type { Row, Store } from './orm/store.ts';
import type { messagesOf, SimOdooVersion } from './version.ts';

export type AccessOperation = 'read' | 'write' | 'create' | 'unlink';

export interface AccessPolicy {
  /** Throws AccessError when the user's groups lack the operation on the model. */
  checkModel(env: Env, model: string, operation: AccessOperation): void;
  hasModelAccess(env: Env, model: string, operation: AccessOperation): boolean;
  /** Whether a record passes the user's record rules for the operation. */
  recordAllowed(env: Env, model: string, row: Row, operation: AccessOperation): boolean;
  /** Display name of the user for record-rule messages ("Lab Sales User (id=8)"). */
  userLabel(env: Env): string;
}

export interface WriteEvent {
  model: string;
  ids: number[];
  /** Field names written (including computed fields the write changed). */
  fields: string[];
  /** Rows as they were before the write, by id (empty for creates). */
  before: ReadonlyMap<number, Row>;
  created: boolean;
  /** Rule ids whose filter_pre_domain held for each record before the write. */
  preFilter?: PreFilterState;
}

export type PreFilterState = ReadonlyMap<number, ReadonlySet<number>>;

export interface AutomationHooks {
  /** Before a write: which rules' filter_pre_domain hold on the old values. */
  beforeWrite(env: Env, model: string, ids: readonly number[]): PreFilterState;
  /** Runs matching automation rules inside the caller's transaction (webhooks included). */
  afterChange(env: Env, event: WriteEvent): Promise<void>;
}

export interface ServerLogEntry {
  at: string;
  level: 'INFO' | 'WARNING' | 'ERROR';
  logger: string;
  message: string;
}

export interface SimRuntime {
  /** The Odoo release the simulator behaves as (sim/odoo/version.ts). */
  readonly version: SimOdooVersion;
  /** Error messages in that release's wording. */
  readonly messages: ReturnType<typeof messagesOf>;
  readonly registry: Registry;
  readonly store: Store;
  readonly clock: () => Date;
  readonly access: AccessPolicy;
  readonly automation: AutomationHooks;
  /** Odoo's server log (webhook warnings and the like); never holds secrets. */
  log(level: ServerLogEntry['level'], logger: string, message: string): void;
  /** Base URL of the simulator, e.g. "http://127.0.0.1:40123" (web.base.url). */
  baseUrl(): string;
  /** A UUID v4 from the simulator's injected randomness (webhook_uuid). */
  newUuid(): string;
}
