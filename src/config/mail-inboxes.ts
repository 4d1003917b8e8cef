/** Inbound mailboxes: CROSSDOCK_MAIL_INBOX_<NAME>=delays@crossdock.example.com,@suppliers.example.com. */
const MAIL_INBOX_PREFIX = 'CROSSDOCK_MAIL_INBOX_';

/** Crossdock's SMTP endpoint for inbound e-mail (src/connectors/mail). */
export interface MailIntakeConfig {
  host: string;
  port: number;
  maxMessageBytes: number;
  maxAttachmentBytes: number;
  allowIps: string[];
  /** Each mailbox's events come under source `mail.<name>`. */
  mailboxes: { name: string; recipients: string[] }[];
}

/**
 * CROSSDOCK_MAIL_INBOX_<NAME> variables: the recipients of each mailbox. They need the
 * endpoint (CROSSDOCK_MAIL_INTAKE_PORT), and the endpoint needs at least one; a recipient in
 * two mailboxes is refused.
 */
export function mailInboxes(
  env: Record<string, string | undefined>,
  intake: boolean,
): {
  mailboxes: { name: string; recipients: string[] }[];
  problems: { path: string; message: string }[];
} {
  const mailboxes: { name: string; recipients: string[] }[] = [];
  const problems: { path: string; message: string }[] = [];
  const owner = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(MAIL_INBOX_PREFIX) || value === undefined || value === '') continue;
    const suffix = key.slice(MAIL_INBOX_PREFIX.length);
    if (!intake) {
      problems.push({
        path: key,
        message: 'set CROSSDOCK_MAIL_INTAKE_PORT too (without it there is no mail endpoint)',
      });
      continue;
    }
    if (!/^[A-Z0-9][A-Z0-9_]{0,40}$/.test(suffix)) {
      problems.push({
        path: key,
        message: 'the name after CROSSDOCK_MAIL_INBOX_ must be upper-case letters, digits and _',
      });
      continue;
    }
    const recipients = value.split(',').map((r) => r.trim().toLowerCase());
    const bad = recipients.filter((r) => !/^([^<>@\s,]+)?@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(r));
    const taken = recipients.filter((r) => owner.has(r));
    if (bad.length > 0)
      problems.push({ path: key, message: `not an address or @domain: ${bad.join(', ')}` });
    else if (taken.length > 0)
      problems.push({
        path: key,
        message: `already in ${owner.get(taken[0]!)}: ${taken.join(', ')}`,
      });
    else {
      recipients.forEach((r) => owner.set(r, key));
      mailboxes.push({ name: suffix.toLowerCase().replaceAll('_', '-'), recipients });
    }
  }
  if (intake && mailboxes.length === 0 && problems.length === 0)
    problems.push({
      path: 'CROSSDOCK_MAIL_INTAKE_PORT',
      message: 'name at least one mailbox (CROSSDOCK_MAIL_INBOX_<NAME>=address,@domain)',
    });
  return { mailboxes, problems };
}
