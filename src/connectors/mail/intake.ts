/**
 * Crossdock's own SMTP endpoint for inbound e-mail (off unless configured): carriers' and
 * suppliers' messages, sent directly or forwarded by a mailbox rule, become `mail.received`
 * events. Who may connect is an allow-list of sender IPs (the organisation's mail server);
 * which messages are taken is the recipients: each address or @domain belongs to one mailbox
 * (source `mail.<mailbox>`), and any other recipient is refused (550) at RCPT TO, so the
 * endpoint relays nothing. A message over the size limit is refused (552). Each message is
 * stored (attachments, then its event) before the 250; a store that fails gets 451 and the
 * sending server tries again later (receive.ts); a message the intake refuses as invalid
 * (a trigger's schema) gets 554, a bounce to the sender. No AUTH and no STARTTLS: put it behind the
 * mail server that faces the Internet (docs/OPERATIONS.md).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import { receiveMail, type ReceiveDeps } from './receive.ts';

export interface MailIntakeSettings {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  maxMessageBytes: number;
  /** An attachment larger than this is named and measured, its content not kept. */
  maxAttachmentBytes: number;
  /** Addresses (IPv4, IPv6) and IPv4 ranges (10.0.0.0/8) that may connect. */
  allowIps: string[];
  /** Mailbox name -> its addresses (`delays@crossdock.example.com`) and domains (`@suppliers.example.com`). */
  mailboxes: { name: string; recipients: string[] }[];
}

export interface MailIntake {
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply: smtp-server answers the error's message with its responseCode. */
function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** The mailbox a recipient belongs to: its exact address first, then its domain. */
export function mailboxOf(settings: MailIntakeSettings, address: string): string | null {
  const a = address.toLowerCase();
  const domain = a.slice(a.lastIndexOf('@'));
  const exact = settings.mailboxes.find((m) => m.recipients.includes(a));
  return (exact ?? settings.mailboxes.find((m) => m.recipients.includes(domain)))?.name ?? null;
}

export function ipAllowed(allow: string[], remote: string): boolean {
  const ip = remote.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1').toLowerCase();
  return allow.some((entry) => {
    const [base, bits] = entry.split('/');
    if (bits === undefined) return base!.toLowerCase() === ip;
    const a = ipv4(base!);
    const b = ipv4(ip);
    if (a === null || b === null) return false;
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
    return (a & mask) >>> 0 === (b & mask) >>> 0;
  });
}

function ipv4(text: string): number | null {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export async function startMailIntake(
  settings: MailIntakeSettings,
  deps: ReceiveDeps & { logger: Logger },
): Promise<MailIntake> {
  const server = new SMTPServer({
    name: 'crossdock',
    banner: 'Crossdock inbound mail',
    size: settings.maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(session, callback) {
      if (ipAllowed(settings.allowIps, session.remoteAddress)) return callback();
      deps.logger.warn({ remote: session.remoteAddress }, 'mail intake: connection refused');
      callback(reply(554, '5.7.1 Not allowed to send to this Crossdock'));
    },
    onRcptTo(address, _session, callback) {
      if (mailboxOf(settings, address.address) !== null) return callback();
      callback(reply(550, `5.1.1 <${address.address}>: no such mailbox here`));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded)
          return callback(
            reply(552, `5.3.4 Message larger than ${settings.maxMessageBytes} bytes`),
          );
        store(Buffer.concat(chunks), session).then(
          () => callback(),
          (error: unknown) => {
            const e = toCrossdockError(error);
            deps.logger.error({ code: e.code, err: e.message }, 'mail intake: message not stored');
            // A message no workflow can take (a trigger's schema refuses it) is refused for
            // good: the sender gets a bounce naming why. Anything else may pass: try again.
            if (e.category === 'user') callback(reply(554, `5.6.0 Message refused: ${e.code}`));
            else callback(reply(451, '4.3.0 Message not stored, try again later'));
          },
        );
      });
    },
  });

  /** One event per mailbox the envelope names; all are stored before the 250. */
  async function store(raw: Buffer, session: SMTPServerSession): Promise<void> {
    const byMailbox = new Map<string, string[]>();
    for (const r of session.envelope.rcptTo) {
      const mailbox = mailboxOf(settings, r.address);
      if (mailbox !== null)
        byMailbox.set(mailbox, [...(byMailbox.get(mailbox) ?? []), r.address.toLowerCase()]);
    }
    for (const [mailbox, recipients] of byMailbox) {
      const received = await receiveMail(deps, {
        mailbox,
        raw,
        recipients,
        maxAttachmentBytes: settings.maxAttachmentBytes,
      });
      deps.logger.info(
        { source: received.source, event: received.eventId, duplicate: received.duplicate },
        'mail intake: message received',
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => deps.logger.error({ err: error.message }, 'mail intake: error'));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
