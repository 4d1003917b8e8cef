/**
 * The IMAP mailboxes Crossdock polls (CROSSDOCK_MAIL_IMAP_CONFIG, a YAML file). Each one's
 * messages become `mail.received` events under source `mail.<name>`, as the SMTP endpoint's
 * do. The password is never in the file: `password_secret` names an entry of Crossdock's
 * secrets store (`crossdock secrets set <name>`), revealed only when the poller logs in.
 * An invalid file is refused with every bad path listed.
 */
import { z } from 'zod';
import { CrossdockError, type ErrorDetail } from '../../errors/index.ts';
import { SECRET_NAME } from '../../secrets/index.ts';
import { readYamlFile } from '../../workflows/index.ts';

/** What is done to a message once its event is stored: flagged \Seen, or moved to a folder. */
export const AfterIntake = { seen: 'seen', move: 'move' } as const;

const MailboxSchema = z.strictObject({
  /** Events come under source `mail.<name>` (`suppliers` -> `mail.suppliers`). */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and "-"'),
  host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name or IPv4 address'),
  port: z.int().min(1).max(65_535).optional(),
  /** implicit: TLS from the first byte (993); starttls: upgraded after the greeting (143); none: plain text, for a server on this host only. */
  tls: z.enum(['implicit', 'starttls', 'none'], {
    error: 'one of implicit, starttls, none',
  }),
  user: z.string().min(1).max(320),
  password_secret: z.string().regex(SECRET_NAME, 'a secret name (a-z, 0-9, "_", ".", ":", "-")'),
  folder: z.string().min(1).max(200).default('INBOX'),
  poll_interval_ms: z.int().min(1_000).max(3_600_000).default(60_000),
  after_intake: z
    .discriminatedUnion('action', [
      z.strictObject({ action: z.literal(AfterIntake.seen) }),
      z.strictObject({ action: z.literal(AfterIntake.move), folder: z.string().min(1).max(200) }),
    ])
    .default({ action: AfterIntake.seen }),
  /** Consecutive failed polls after which an exception case is opened for operations. */
  case_after_failures: z.int().min(1).max(1_000).default(3),
  max_attachment_bytes: z
    .int()
    .min(0)
    .max(64 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Messages taken per poll; the rest wait for the next one. */
  batch: z.int().min(1).max(1_000).default(50),
  timeout_ms: z.int().min(1_000).max(300_000).default(30_000),
});

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const FileSchema = z.strictObject({ mailboxes: z.array(MailboxSchema).min(1).max(100) });

export interface ImapMailbox {
  name: string;
  host: string;
  port: number;
  tls: 'implicit' | 'starttls' | 'none';
  user: string;
  passwordSecret: string;
  folder: string;
  pollIntervalMs: number;
  afterIntake: { action: 'seen' } | { action: 'move'; folder: string };
  caseAfterFailures: number;
  maxAttachmentBytes: number;
  batch: number;
  timeoutMs: number;
}

/** Reads the mailboxes from a parsed file (or an object given in code). */
export function parseImapMailboxes(value: unknown, where = 'IMAP configuration'): ImapMailbox[] {
  const parsed = FileSchema.safeParse(value);
  if (!parsed.success)
    invalid(
      where,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  const problems: ErrorDetail[] = [];
  const mailboxes = parsed.data.mailboxes.map((m, i): ImapMailbox => {
    if (parsed.data.mailboxes.findIndex((o) => o.name === m.name) !== i)
      problems.push({ path: `mailboxes.${i}.name`, message: `"${m.name}" is used twice` });
    if (m.tls === 'none' && !LOOPBACK.has(m.host.toLowerCase()))
      problems.push({
        path: `mailboxes.${i}.tls`,
        message: `"none" sends the password in clear: only for a server on this host (127.0.0.1, localhost); use implicit or starttls for ${m.host}`,
      });
    if (m.after_intake.action === 'move' && m.after_intake.folder === m.folder)
      problems.push({
        path: `mailboxes.${i}.after_intake.folder`,
        message: 'the folder messages are moved to must not be the folder polled',
      });
    return {
      name: m.name,
      host: m.host,
      port: m.port ?? (m.tls === 'implicit' ? 993 : 143),
      tls: m.tls,
      user: m.user,
      passwordSecret: m.password_secret,
      folder: m.folder,
      pollIntervalMs: m.poll_interval_ms,
      afterIntake: m.after_intake,
      caseAfterFailures: m.case_after_failures,
      maxAttachmentBytes: m.max_attachment_bytes,
      batch: m.batch,
      timeoutMs: m.timeout_ms,
    };
  });
  if (problems.length > 0) invalid(where, problems);
  return mailboxes;
}

export function loadImapMailboxes(path: string): ImapMailbox[] {
  return parseImapMailboxes(
    readYamlFile(path, (details) => invalid(path, details)),
    path,
  );
}

function invalid(where: string, details: ErrorDetail[]): never {
  throw new CrossdockError(
    'IMAP_CONFIG_INVALID',
    `Invalid IMAP configuration (${where}): ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    { category: 'user', retryable: false, details },
  );
}
