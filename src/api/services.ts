import type { ApprovalsService } from '../approvals/index.ts';
import { AuditLog } from '../audit/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import { FirstAdminSetup, Sessions, Tokens, Users } from '../auth/index.ts';
import type { Engine } from '../engine/index.ts';
import { createMetrics, type Metrics } from '../observability/index.ts';
import type { PolicyRegistry } from '../policies/index.ts';
import { SecretStore, type Keyring } from '../secrets/index.ts';
import { WebhookSources } from '../triggers/index.ts';

/** What the API (and the CLI) work with: the engine and the security services around it. */
export interface ApiServices {
  engine: Engine;
  users: Users;
  tokens: Tokens;
  sessions: Sessions;
  audit: AuditLog;
  secrets: SecretStore;
  sources: WebhookSources;
  metrics: Metrics;
  /** Present when this process offers first-admin setup (`start`). */
  setup: FirstAdminSetup | null;
  /** Odoo connections, for GET /api/v1/sources (no credentials in them). */
  odooConnections: () => { name: string; url: string; database: string; protocol: string }[];
  /** Approval requests, the approver directory and decision links. */
  approvals: ApprovalsService;
  /** The exception queue: cases, their history, retry / replay / resolve. */
  exceptions: ExceptionsService;
  /** The decision tables the `decide` step uses (read-only over the API). */
  policies: PolicyRegistry;
}

export interface ServicesOptions {
  engine: Engine;
  keyring: Keyring | null;
  sessionTtlMs: number;
  setupCodeFile?: string | null;
  processMetrics?: boolean;
  odooConnections?: ApiServices['odooConnections'];
  /** The instance the approval step uses (with its notifier): one service, so the API and the step agree. */
  approvals: ApprovalsService;
  /** The instance the raise_exception step uses. */
  exceptions: ExceptionsService;
  /** The decision tables loaded with the workflows. */
  policies: PolicyRegistry;
}

/**
 * Wires the security services over the engine's store and clock, beside the instance's own
 * approvals, exceptions and policies. createCrossdock (src/main.ts) is its caller: there is
 * no second, partly wired set of services.
 */
export function createApiServices(options: ServicesOptions): ApiServices {
  const { engine } = options;
  const db = engine.store.db as never;
  const now = () => engine.clock.now();
  const users = new Users(db, now);
  const secrets = new SecretStore(db, options.keyring, now);
  const audit = new AuditLog(db, now);
  return {
    engine,
    users,
    tokens: new Tokens(db, now),
    sessions: new Sessions(db, now, options.sessionTtlMs),
    audit,
    secrets,
    sources: new WebhookSources(db, secrets, now),
    metrics: createMetrics({ events: engine.events, db, processMetrics: options.processMetrics ?? false }),
    setup: options.setupCodeFile ? new FirstAdminSetup(users, options.setupCodeFile) : null,
    odooConnections: options.odooConnections ?? (() => []),
    approvals: options.approvals,
    exceptions: options.exceptions,
    policies: options.policies,
  };
}
