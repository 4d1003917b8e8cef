/** The services the API and the CLI use, over one engine's store and clock. */
import { AiReviews, OfflineTriageModel, type AiSpendingLimit } from '../ai/index.ts';
import { aiModels } from './ai-models.ts';
import type { AiModels, ApiServices } from '../api/index.ts';
import { createMetrics } from '../api/metrics.ts';
import type { ApprovalsService } from '../approvals/index.ts';
import { AuditLog } from '../audit/index.ts';
import { FirstAdminSetup, Sessions, Tokens, TotpFactors, Users } from '../auth/index.ts';
import type { Engine } from '../engine/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import type { PolicyRegistry } from '../policies/index.ts';
import { SecretStore, type Keyring } from '../secrets/index.ts';
import { WebhookSources } from '../triggers/index.ts';

export interface ServicesOptions {
  engine: Engine;
  keyring: Keyring | null;
  sessionTtlMs: number;
  setupCodeFile?: string | null;
  odooConnections?: ApiServices['odooConnections'];
  /** The instance the approval step uses (with its notifier): one service, so the API and the step agree. */
  approvals: ApprovalsService;
  /** The instance the raise_exception step uses. */
  exceptions: ExceptionsService;
  /** The decision tables loaded with the workflows. */
  policies: PolicyRegistry;
  /** The authenticators the approvals check step-up codes with; made over the keyring when not given. */
  totp?: TotpFactors;
  /** Training and evaluation over the API, on this instance's store and provider. */
  aiModels?: AiModels;
  /** The provider's spending limit, when one is configured: the Overview shows it. */
  aiBudget?: AiSpendingLimit | null;
}

/**
 * The API's (and the CLI's) services: the security services over the engine's store and
 * clock, beside the instance's own approvals, exceptions and policies. createCrossdock is
 * its caller; tests of the API over an engine of their own call it too.
 */
export function createApiServices(options: ServicesOptions): ApiServices {
  const { engine } = options;
  const db = engine.store.db;
  const now = () => engine.clock.now();
  const users = new Users(db, now);
  const secrets = new SecretStore(db, options.keyring, now);
  const audit = new AuditLog(db, now);
  return {
    engine,
    users,
    tokens: new Tokens(db, now),
    sessions: new Sessions(db, now, options.sessionTtlMs),
    totp: options.totp ?? new TotpFactors(db, options.keyring, now),
    audit,
    secrets,
    sources: new WebhookSources(db, secrets, now),
    metrics: createMetrics({ events: engine.events, db }),
    setup: options.setupCodeFile ? new FirstAdminSetup(users, options.setupCodeFile) : null,
    odooConnections: options.odooConnections ?? (() => []),
    approvals: options.approvals,
    exceptions: options.exceptions,
    ai: new AiReviews({
      db,
      exceptions: options.exceptions,
      audit,
      now,
      signal: (runId, name, payload) => engine.runs.signal(runId, name, payload),
      budget: options.aiBudget ?? null,
    }),
    policies: options.policies,
    // Loaded when first asked: the mail connector brings the SMTP server with it, which a
    // command that serves no mail must not load (test/unit/cli-imports.test.ts).
    mailAttachment: async (id) =>
      (await import('../connectors/mail/index.ts')).readAttachment(db, id),
    // Without a provider of the instance's own, the built-in offline model answers.
    aiModels:
      options.aiModels ??
      aiModels({ db, now, client: null, provider: () => new OfflineTriageModel(db) }),
  };
}
