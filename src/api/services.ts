import type { AiReviews } from '../ai/index.ts';
import type { ApprovalsService } from '../approvals/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import type { FirstAdminSetup, Sessions, Tokens, TotpFactors, Users } from '../auth/index.ts';
import type { Engine } from '../engine/index.ts';
import type { Metrics } from './metrics.ts';
import type { PolicyRegistry } from '../policies/index.ts';
import type { SecretStore } from '../secrets/index.ts';
import type { WebhookSources } from '../triggers/index.ts';

/** An attachment as the mail intake kept it: content null when it was over the size limit. */
export interface MailAttachment {
  id: string;
  source: string;
  messageKey: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer | null;
}

/** The uses a model can be trained for, and evaluated on (docs/AI.md). */
export const TRAINABLE_USES = ['exception_triage', 'delay_risk'] as const;
export const EVALUATED_USES = ['exception_triage', 'mail_extraction', 'delay_risk'] as const;

/** Training and evaluation on the instance's store and provider (src/instance/ai-models.ts). */
export interface AiModels {
  /** A new version of the use's offline model, from the history and the named shipped set. */
  train(
    use: (typeof TRAINABLE_USES)[number],
    set: string | undefined,
    by: string,
  ): Promise<unknown>;
  /** The report `crossdock ai eval` prints, on the named shipped set. */
  evaluate(
    use: (typeof EVALUATED_USES)[number],
    set: string,
    threshold: number | undefined,
  ): Promise<unknown>;
}

/** What the API (and the CLI) work with: the engine and the security services around it. */
export interface ApiServices {
  engine: Engine;
  users: Users;
  tokens: Tokens;
  sessions: Sessions;
  /** Each user's TOTP authenticator, for step-up approvals (enrolment, removal, checks). */
  totp: TotpFactors;
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
  /** The AI recommendation log and people's reviews of it. */
  ai: AiReviews;
  /** An inbound e-mail's attachment by id (src/connectors/mail), or null when there is none. */
  mailAttachment: (id: string) => Promise<MailAttachment | null>;
  /** Training and evaluation (`ai:train`). */
  aiModels: AiModels;
  /** The decision tables the `decide` step uses (read-only over the API). */
  policies: PolicyRegistry;
}
