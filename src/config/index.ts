import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CrossdockError } from '../errors/index.ts';
import type { StoreConfig } from '../store/index.ts';
import { aiConfigOf, AiEnv, aiProblems, type AiConfig } from './ai.ts';
import type { ModelPrice } from './ai-prices.ts';
import { chatWebhooks } from './chat-webhooks.ts';
import { bool, int } from './env-values.ts';
import { mailInboxes, type MailIntakeConfig } from './mail-inboxes.ts';

export type { MailIntakeConfig } from './mail-inboxes.ts';

/**
 * The one reader of process.env. Every value is checked; a bad one is never replaced by a
 * default: startup fails listing every bad value at once.
 */

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  CROSSDOCK_DATA_DIR: z.string().min(1).default('./.crossdock/data'),
  CROSSDOCK_SYNCHRONOUS: bool.default(false),
  CROSSDOCK_VACUUM_INTERVAL_MS: int(1_000, 86_400_000).default(600_000),
  CROSSDOCK_DB_POOL: int(1, 200).default(10),
  /** Named prepared statements on the server; false behind a pooler that does not keep them. */
  CROSSDOCK_DB_PREPARED_STATEMENTS: bool.default(true),
  CROSSDOCK_WORKFLOWS_DIR: z.string().min(1).default('./workflows'),
  CROSSDOCK_HOST: z.string().min(1).default('127.0.0.1'),
  CROSSDOCK_PORT: int(0, 65_535).default(3000),
  /** Where people reach this Crossdock (behind a proxy: https://crossdock.example.com): the base of approval links in e-mails. Default: the listen address. */
  CROSSDOCK_PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL, e.g. https://crossdock.example.com',
    })
    .optional(),
  CROSSDOCK_WORKERS: int(0, 64).default(1),
  CROSSDOCK_WORKER_CONCURRENCY: int(1, 10_000).default(200),
  /** The V8 heap limit (--max-old-space-size) of the worker processes the demo starts, as `npm start` gives its own. */
  CROSSDOCK_WORKER_HEAP_MB: int(64, 65_536).default(256),
  /** `start`, `worker` and `demo`: how far the JavaScript heap grows past what a full collection kept, in percent (0: V8's own). */
  CROSSDOCK_HEAP_GROWTH_PERCENT: int(0, 1_000).default(100),
  CROSSDOCK_LEASE_MS: int(1_000, 3_600_000).default(30_000),
  CROSSDOCK_POLL_INTERVAL_MS: int(10, 60_000).default(500),
  CROSSDOCK_MAX_EVENT_BYTES: int(1_024, 16 * 1024 * 1024).default(256 * 1024),
  /** Comma-separated event sources whose key conflicts are only recorded, without an exception case (webhook sources have their own `keyConflict`). */
  CROSSDOCK_KEY_CONFLICT_RECORD_ONLY: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_.-]{0,63}(,\s*[a-z0-9][a-z0-9_.-]{0,63})*$/,
      'must be event source names, comma-separated',
    )
    .optional(),
  /** Bounds on every JSONata evaluation (docs/WORKFLOWS.md, "Limits on expressions"). */
  CROSSDOCK_EXPRESSION_TIMEOUT_MS: int(10, 60_000).default(1_000),
  CROSSDOCK_EXPRESSION_MAX_DEPTH: int(50, 100_000).default(2_000),
  CROSSDOCK_EXPRESSION_MAX_ITEMS: int(100, 10_000_000).default(100_000),
  CROSSDOCK_EXPRESSION_MAX_OUTPUT_BYTES: int(1_024, 256 * 1024 * 1024).default(1024 * 1024),
  /** YAML file describing Odoo connections and sources (secrets come from the environment). */
  CROSSDOCK_ODOO_CONFIG: z.string().min(1).optional(),
  /** YAML or JSON file of carriers ({ carriers: [...] }, see docs/CARRIERS.md); secrets come from the environment. */
  CROSSDOCK_CARRIERS_CONFIG: z.string().min(1).optional(),
  /** YAML file of EDI trading partners ({ partners: [...] }, see docs/EDI.md); secrets come from the environment. */
  CROSSDOCK_EDI_CONFIG: z.string().min(1).optional(),
  ...AiEnv,
  CROSSDOCK_SHOP_CONFIG: z.string().min(1).optional(),
  /** YAML file of IMAP mailboxes to poll ({ mailboxes: [...] }, see docs/OPERATIONS.md); passwords come from the secrets store. */
  CROSSDOCK_MAIL_IMAP_CONFIG: z.string().min(1).optional(),
  /** Inbound e-mail (docs/OPERATIONS.md): the port of Crossdock's SMTP endpoint; unset, there is none. 0: any free port. */
  CROSSDOCK_MAIL_INTAKE_PORT: int(0, 65_535).optional(),
  CROSSDOCK_MAIL_INTAKE_HOST: z.string().min(1).default('127.0.0.1'),
  /** A larger message is refused (552). */
  CROSSDOCK_MAIL_INTAKE_MAX_BYTES: int(1_024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** A larger attachment is named and measured in the event, its content not kept. */
  CROSSDOCK_MAIL_INTAKE_MAX_ATTACHMENT_BYTES: int(0, 100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Who may connect: comma-separated IP addresses and IPv4 ranges (your mail server). */
  CROSSDOCK_MAIL_INTAKE_ALLOW_IPS: z
    .string()
    .regex(
      /^[0-9A-Fa-f.:]+(\/\d{1,2})?(,\s*[0-9A-Fa-f.:]+(\/\d{1,2})?)*$/,
      'must be IP addresses or IPv4 ranges (10.0.0.0/8), comma-separated',
    )
    .default('127.0.0.1,::1'),
  /** json (for log collectors) or pretty (one readable line per entry); default: pretty on a terminal. */
  CROSSDOCK_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Where Crossdock keeps files of its own (0700): the secrets key, the CLI token, the first-admin setup code. Default: `state` beside the data directory. */
  CROSSDOCK_STATE_DIR: z.string().min(1).optional(),
  /** AES-256 key for secrets at rest, base64 of 32 bytes (openssl rand -base64 32). Takes precedence over the key file. */
  CROSSDOCK_SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes (openssl rand -base64 32)')
    .optional(),
  /** File with the key (base64, current first). Default <state dir>/secrets.key, generated on first start with the embedded store. */
  CROSSDOCK_SECRETS_KEY_FILE: z.string().min(1).optional(),
  /** Comma-separated base64 keys that still open secrets sealed before a rotation. */
  CROSSDOCK_SECRETS_PREVIOUS_KEYS: z
    .string()
    .regex(
      /^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/,
      'must be comma-separated base64 keys of 32 bytes',
    )
    .optional(),
  CROSSDOCK_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  CROSSDOCK_LOGIN_RATE_LIMIT_PER_MINUTE: int(1, 10_000).default(10),
  CROSSDOCK_SESSION_HOURS: int(1, 720).default(12),
  /** Mark the session cookie Secure (serve over HTTPS or behind a TLS proxy). */
  CROSSDOCK_COOKIE_SECURE: bool.default(false),
  /** API token the CLI sends when it talks to a running instance (runs, events, users, tokens, audit). */
  CROSSDOCK_TOKEN: z
    .string()
    .regex(/^cdx_[A-Za-z0-9_-]{20,200}$/, 'must be a Crossdock API token (cdx_...)')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Outgoing e-mail (notifications, approval requests): the SMTP server. No host, no e-mail. */
  CROSSDOCK_SMTP_HOST: z.string().min(1).optional(),
  /** Default 465 with CROSSDOCK_SMTP_SECURE=true (TLS from the start), else 587 (STARTTLS when offered). */
  CROSSDOCK_SMTP_PORT: int(1, 65_535).optional(),
  CROSSDOCK_SMTP_SECURE: bool.optional(),
  /** Refuse to send unless STARTTLS succeeds. Default: true when a login is set, so a password never crosses in clear. */
  CROSSDOCK_SMTP_REQUIRE_TLS: bool.optional(),
  CROSSDOCK_SMTP_USER: z.string().min(1).optional(),
  /** Never logged, never returned by the API, never stored with a notification's error. */
  CROSSDOCK_SMTP_PASSWORD: z.string().min(1).optional(),
  /** The From of every message, e.g. "Crossdock <crossdock@example.com>". */
  CROSSDOCK_MAIL_FROM: z
    .string()
    .regex(
      /^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/,
      'must be an address (a@b.example) or "Name <a@b.example>"',
    )
    .optional(),
  /** How often the notification dispatcher looks for due messages when nothing woke it. */
  CROSSDOCK_NOTIFY_POLL_INTERVAL_MS: int(50, 600_000).default(5_000),
  /** Delivery attempts before a message that keeps failing transiently is marked dead. */
  CROSSDOCK_NOTIFY_MAX_ATTEMPTS: int(1, 100).default(10),
  /** Where the operations pack's alerts go by e-mail (comma-separated addresses) when no `ops` chat webhook is set. */
  CROSSDOCK_OPS_EMAIL: z
    .string()
    .regex(
      /^[^<>@\s,]+@[^<>@\s,]+(,\s*[^<>@\s,]+@[^<>@\s,]+)*$/,
      'must be e-mail addresses, comma-separated',
    )
    .optional(),
});

export interface CrossdockConfig {
  store: StoreConfig;
  workflowsDir: string;
  /** publicUrl: where people reach the API and dashboard (approval links); null: the listen address. */
  http: { host: string; port: number; publicUrl: string | null };
  /** heapMb: the V8 heap limit of worker processes the demo starts; heapGrowthPercent: CROSSDOCK_HEAP_GROWTH_PERCENT. */
  workers: {
    count: number;
    concurrency: number;
    leaseMs: number;
    pollIntervalMs: number;
    heapMb: number;
    heapGrowthPercent: number;
  };
  maxEventBytes: number;
  /** Sources whose key conflicts open no exception case (recorded, counted and shown only). */
  keyConflictRecordOnly: string[];
  expressions: { timeoutMs: number; maxDepth: number; maxItems: number; maxOutputBytes: number };
  logLevel: string;
  logFormat: 'json' | 'pretty';
  odooConfigPath: string | null;
  carriersConfigPath: string | null;
  ediConfigPath: string | null;
  shopConfigPath: string | null;
  /** The IMAP mailboxes file; null when CROSSDOCK_MAIL_IMAP_CONFIG is unset (no mailbox is polled). */
  mailImapConfigPath?: string | null;
  /** Crossdock's SMTP endpoint for inbound e-mail; null when CROSSDOCK_MAIL_INTAKE_PORT is unset. */
  mailIntake?: MailIntakeConfig | null;
  security: SecurityConfig;
  notify: NotifyConfig;
  /** The operations pack's alerts (packs/operations): who gets them by e-mail. */
  operations?: { alertEmail: string[] };
  /** The AI provider of the ai.* steps; null when CROSSDOCK_AI_URL is unset (they fall back). */
  ai?: AiConfig | null;
  /** Price per 1M tokens by model name (CROSSDOCK_AI_PRICES); empty: none configured. */
  aiPrices?: Readonly<Record<string, ModelPrice>>;
}

export interface NotifyConfig {
  /** Null when CROSSDOCK_SMTP_HOST is unset: no e-mail channel (and no approval e-mails). */
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    requireTls: boolean;
    user: string | null;
    password: string | null;
    from: string;
  } | null;
  /** Webhook name (CROSSDOCK_CHAT_WEBHOOK_OPS -> "ops") -> URL. The URLs are secrets: never logged or shown. */
  chatWebhooks: Record<string, string>;
  pollIntervalMs: number;
  maxAttempts: number;
}

export interface SecurityConfig {
  /** The secrets key, the CLI token, the first-admin code: back it up with the data (docs/OPERATIONS.md). */
  stateDir: string;
  /** Where earlier versions kept those files (the data directory's parent), when the state directory is the default. */
  legacyStateDir: string | null;
  /** Base64 key from the environment; never logged. */
  secretsKey: string | null;
  secretsKeyFile: string;
  /** Only the embedded single-process store makes its own key; a server deployment must be given one. */
  generateSecretsKey: boolean;
  /** CROSSDOCK_SECRETS_KEY_FILE was set: the file must exist. */
  secretsKeyFileRequired: boolean;
  previousSecretsKeys: string[];
  rateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  sessionHours: number;
  cookieSecure: boolean;
  /** The CLI's API token for remote operations; never logged. */
  cliToken: string | null;
}

/**
 * The store's IN_MEMORY (src/store/in-memory.ts), spelled here: imported, it would load a
 * store module into every command that reads the configuration (test/unit/config.test.ts
 * checks that the two agree).
 */
const IN_MEMORY = 'memory://';

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof z.input<typeof EnvSchema>, string>> = {},
): CrossdockConfig {
  const merged = { ...pick(env), ...overrides };
  const parsed = EnvSchema.safeParse(merged);
  const chat = chatWebhooks(env);
  const inboxes = mailInboxes(env, merged.CROSSDOCK_MAIL_INTAKE_PORT !== undefined);
  const notifyProblems = [
    ...chat.problems,
    ...smtpProblems(merged),
    ...aiProblems(merged),
    ...inboxes.problems,
    ...(merged.CROSSDOCK_DATA_DIR === IN_MEMORY &&
    !merged.DATABASE_URL &&
    !merged.CROSSDOCK_STATE_DIR
      ? [
          {
            path: 'CROSSDOCK_STATE_DIR',
            message: `is needed with CROSSDOCK_DATA_DIR=${IN_MEMORY}: the state files (the secrets key) have no data folder to live beside`,
          },
        ]
      : []),
  ];
  if (!parsed.success || notifyProblems.length > 0) {
    throw new CrossdockError('CONFIG_INVALID', 'The configuration is not valid', {
      category: 'user',
      retryable: false,
      details: [
        ...(parsed.success
          ? []
          : parsed.error.issues.map((i) => ({ path: String(i.path[0]), message: i.message }))),
        ...notifyProblems,
      ],
    });
  }
  const e = parsed.data;
  // One folder holds data/ and state/ (./.crossdock by default). Earlier versions kept the
  // state files in that folder itself: they are moved into state/ at start.
  const stateDir = e.CROSSDOCK_STATE_DIR ?? join(dirname(e.CROSSDOCK_DATA_DIR), 'state');
  return {
    store: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.CROSSDOCK_DB_POOL,
          preparedStatements: e.CROSSDOCK_DB_PREPARED_STATEMENTS,
        }
      : {
          kind: 'pglite',
          dataDir: e.CROSSDOCK_DATA_DIR,
          synchronous: e.CROSSDOCK_SYNCHRONOUS,
          vacuumIntervalMs: e.CROSSDOCK_VACUUM_INTERVAL_MS,
        },
    workflowsDir: e.CROSSDOCK_WORKFLOWS_DIR,
    http: {
      host: e.CROSSDOCK_HOST,
      port: e.CROSSDOCK_PORT,
      publicUrl: e.CROSSDOCK_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    },
    workers: {
      count: e.CROSSDOCK_WORKERS,
      concurrency: e.CROSSDOCK_WORKER_CONCURRENCY,
      leaseMs: e.CROSSDOCK_LEASE_MS,
      pollIntervalMs: e.CROSSDOCK_POLL_INTERVAL_MS,
      heapMb: e.CROSSDOCK_WORKER_HEAP_MB,
      heapGrowthPercent: e.CROSSDOCK_HEAP_GROWTH_PERCENT,
    },
    maxEventBytes: e.CROSSDOCK_MAX_EVENT_BYTES,
    keyConflictRecordOnly: e.CROSSDOCK_KEY_CONFLICT_RECORD_ONLY
      ? e.CROSSDOCK_KEY_CONFLICT_RECORD_ONLY.split(',').map((s) => s.trim())
      : [],
    expressions: {
      timeoutMs: e.CROSSDOCK_EXPRESSION_TIMEOUT_MS,
      maxDepth: e.CROSSDOCK_EXPRESSION_MAX_DEPTH,
      maxItems: e.CROSSDOCK_EXPRESSION_MAX_ITEMS,
      maxOutputBytes: e.CROSSDOCK_EXPRESSION_MAX_OUTPUT_BYTES,
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.CROSSDOCK_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    odooConfigPath: e.CROSSDOCK_ODOO_CONFIG ?? null,
    carriersConfigPath: e.CROSSDOCK_CARRIERS_CONFIG ?? null,
    ediConfigPath: e.CROSSDOCK_EDI_CONFIG ?? null,
    ai: aiConfigOf(e),
    aiPrices: e.CROSSDOCK_AI_PRICES ?? {},
    shopConfigPath: e.CROSSDOCK_SHOP_CONFIG ?? null,
    mailImapConfigPath: e.CROSSDOCK_MAIL_IMAP_CONFIG ?? null,
    mailIntake:
      e.CROSSDOCK_MAIL_INTAKE_PORT === undefined
        ? null
        : {
            host: e.CROSSDOCK_MAIL_INTAKE_HOST,
            port: e.CROSSDOCK_MAIL_INTAKE_PORT,
            maxMessageBytes: e.CROSSDOCK_MAIL_INTAKE_MAX_BYTES,
            maxAttachmentBytes: e.CROSSDOCK_MAIL_INTAKE_MAX_ATTACHMENT_BYTES,
            allowIps: e.CROSSDOCK_MAIL_INTAKE_ALLOW_IPS.split(',').map((a) => a.trim()),
            mailboxes: inboxes.mailboxes,
          },
    security: {
      stateDir,
      legacyStateDir: e.CROSSDOCK_STATE_DIR === undefined ? dirname(e.CROSSDOCK_DATA_DIR) : null,
      secretsKey: e.CROSSDOCK_SECRETS_KEY ?? null,
      secretsKeyFile: e.CROSSDOCK_SECRETS_KEY_FILE ?? join(stateDir, 'secrets.key'),
      generateSecretsKey: !e.DATABASE_URL && !e.CROSSDOCK_SECRETS_KEY_FILE,
      secretsKeyFileRequired: e.CROSSDOCK_SECRETS_KEY_FILE !== undefined,
      previousSecretsKeys: e.CROSSDOCK_SECRETS_PREVIOUS_KEYS?.split(',') ?? [],
      rateLimitPerMinute: e.CROSSDOCK_RATE_LIMIT_PER_MINUTE,
      loginRateLimitPerMinute: e.CROSSDOCK_LOGIN_RATE_LIMIT_PER_MINUTE,
      sessionHours: e.CROSSDOCK_SESSION_HOURS,
      cookieSecure: e.CROSSDOCK_COOKIE_SECURE,
      cliToken: e.CROSSDOCK_TOKEN ?? null,
    },
    notify: {
      smtp: e.CROSSDOCK_SMTP_HOST
        ? {
            host: e.CROSSDOCK_SMTP_HOST,
            port: e.CROSSDOCK_SMTP_PORT ?? (e.CROSSDOCK_SMTP_SECURE ? 465 : 587),
            secure: e.CROSSDOCK_SMTP_SECURE ?? false,
            requireTls: e.CROSSDOCK_SMTP_REQUIRE_TLS ?? e.CROSSDOCK_SMTP_USER !== undefined,
            user: e.CROSSDOCK_SMTP_USER ?? null,
            password: e.CROSSDOCK_SMTP_PASSWORD ?? null,
            from: e.CROSSDOCK_MAIL_FROM!,
          }
        : null,
      chatWebhooks: chat.webhooks,
      pollIntervalMs: e.CROSSDOCK_NOTIFY_POLL_INTERVAL_MS,
      maxAttempts: e.CROSSDOCK_NOTIFY_MAX_ATTEMPTS,
    },
    operations: { alertEmail: e.CROSSDOCK_OPS_EMAIL?.split(',').map((a) => a.trim()) ?? [] },
  };
}

/** SMTP settings that only make sense together; none is ignored silently. */
function smtpProblems(v: Record<string, string>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const dependents = [
    'CROSSDOCK_SMTP_PORT',
    'CROSSDOCK_SMTP_SECURE',
    'CROSSDOCK_SMTP_REQUIRE_TLS',
    'CROSSDOCK_SMTP_USER',
    'CROSSDOCK_SMTP_PASSWORD',
    'CROSSDOCK_MAIL_FROM',
  ];
  if (!v.CROSSDOCK_SMTP_HOST) {
    for (const key of dependents)
      if (v[key] !== undefined)
        problems.push({
          path: key,
          message: 'set CROSSDOCK_SMTP_HOST too (without it there is no e-mail)',
        });
    return problems;
  }
  if (v.CROSSDOCK_MAIL_FROM === undefined)
    problems.push({ path: 'CROSSDOCK_MAIL_FROM', message: 'required with CROSSDOCK_SMTP_HOST' });
  if ((v.CROSSDOCK_SMTP_USER === undefined) !== (v.CROSSDOCK_SMTP_PASSWORD === undefined)) {
    problems.push({
      path: v.CROSSDOCK_SMTP_USER === undefined ? 'CROSSDOCK_SMTP_USER' : 'CROSSDOCK_SMTP_PASSWORD',
      message: 'CROSSDOCK_SMTP_USER and CROSSDOCK_SMTP_PASSWORD go together',
    });
  }
  return problems;
}

/** Only our own variables, and empty strings count as unset. */
function pick(env: Record<string, string | undefined>): Record<string, string> {
  const keys = Object.keys(EnvSchema.shape);
  return Object.fromEntries(
    Object.entries(env).filter(([k, v]) => keys.includes(k) && v !== undefined && v !== ''),
  ) as Record<string, string>;
}
