import nodemailer from 'nodemailer';
import type { NotifyConfig } from '../config/index.ts';
import { chatStatusError, chatTransportError, notifyErrors, smtpError } from './errors.ts';
import type { NotificationRow } from './outbox.ts';

export interface Delivery {
  /** What the provider called the message, when it says (SMTP "queued as ..."). */
  providerId: string | null;
  /** Sent, but with something an operator should know (some recipients refused). */
  note: string | null;
}

/** Delivers one claimed outbox row; throws a CrossdockError (retryable or not). */
export interface ChannelSender {
  send(row: NotificationRow): Promise<Delivery>;
  close(): void;
}

type Smtp = NonNullable<NotifyConfig['smtp']>;

export interface EmailTimeouts {
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

/**
 * E-mail over SMTP (nodemailer). One connection per message. Idempotency: SMTP has none;
 * each attempt carries the same Message-ID (from the dedupe key) so a resend after a crash
 * between the server's 250 and our `sent` mark can be recognised by the receiver.
 */
export function emailChannel(
  smtp: Smtp,
  timeouts: EmailTimeouts = {
    connectionTimeoutMs: 10_000,
    greetingTimeoutMs: 10_000,
    socketTimeoutMs: 30_000,
  },
): ChannelSender {
  const server = `${smtp.host}:${smtp.port}`;
  const secrets = smtp.password ? [smtp.password] : [];
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // Without implicit TLS: STARTTLS when offered; with requireTls, no STARTTLS means no send.
    requireTLS: !smtp.secure && smtp.requireTls,
    ...(smtp.user && smtp.password ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    connectionTimeout: timeouts.connectionTimeoutMs,
    greetingTimeout: timeouts.greetingTimeoutMs,
    socketTimeout: timeouts.socketTimeoutMs,
    // Message content is ours: never let it make nodemailer read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  return {
    async send(row) {
      let info: {
        response?: string;
        rejected?: unknown[];
        rejectedErrors?: { response?: string; recipient?: string }[];
      };
      try {
        info = await transport.sendMail({
          from: smtp.from,
          to: row.recipients,
          subject: row.subject,
          text: row.body_text,
          ...(row.body_html === null ? {} : { html: row.body_html }),
          messageId: row.message_id,
          headers: { 'X-Crossdock-Notification': row.id },
        });
      } catch (cause) {
        throw smtpError(cause, server, secrets);
      }
      const queued = /queued as ([^\s]+)/i.exec(info.response ?? '');
      const refused = (info.rejected ?? []).map(String);
      const note =
        refused.length === 0
          ? null
          : `delivered to ${row.recipients.length - refused.length} of ${row.recipients.length}; refused: ${(info.rejectedErrors ?? []).map((e) => `${e.recipient ?? '?'} (${(e.response ?? '').slice(0, 120)})`).join('; ') || refused.join(', ')}`;
      return { providerId: queued?.[1] ?? null, note };
    },
    close: () => transport.close(),
  };
}

/**
 * Chat incoming webhooks (Slack, Teams, Mattermost, Google Chat): POST {"text": ...}.
 * The URL is the credential, so messages and errors name the webhook, never its URL.
 * Idempotency: these endpoints have none; a crash between the POST and the `sent` mark
 * posts the message once more.
 */
export function chatChannel(webhooks: Record<string, string>, timeoutMs = 10_000): ChannelSender {
  const secrets = Object.values(webhooks);
  return {
    async send(row) {
      const name = row.recipients[0]!;
      const url = Object.hasOwn(webhooks, name) ? webhooks[name]! : null;
      if (url === null) throw notifyErrors.webhookUnknown(name, Object.keys(webhooks));
      const text = row.subject ? `${row.subject}\n\n${row.body_text}` : row.body_text;
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-crossdock-message-id': row.message_id },
          body: JSON.stringify({ text }),
          signal: timeout,
          redirect: 'error',
        });
      } catch (cause) {
        throw chatTransportError(name, cause, timeout.aborted);
      }
      const body = await response.text().catch(() => '');
      if (!response.ok) throw chatStatusError(name, response.status, body, secrets);
      return { providerId: null, note: null };
    },
    close: () => undefined,
  };
}
