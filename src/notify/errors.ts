import { CrossdockError } from '../errors/index.ts';

/**
 * The one place where SMTP and chat-webhook outcomes become Crossdock errors, and where
 * secrets are taken out of them: an error is stored on the outbox row and shown to
 * operators, so it must never carry the SMTP password or a webhook URL.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

interface SmtpFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  permanent?: boolean;
  response?: string;
  command?: string;
  rejected?: string[];
  message?: string;
}

/**
 * SMTP: a 5xx reply (other than 503, see nodemailer's `permanent`) refuses the message for
 * good; 4xx replies, timeouts and connection failures may pass on a later attempt.
 */
export function smtpError(
  cause: unknown,
  server: string,
  secrets: readonly string[],
): CrossdockError {
  const e = (cause ?? {}) as SmtpFailure;
  const reply = e.response ? redact(e.response.slice(0, 300), secrets) : null;
  if (e.code === 'EAUTH') {
    return new CrossdockError(
      'NOTIFY_SMTP_AUTH_FAILED',
      `SMTP server ${server} refused the login${reply ? `: ${reply}` : ''}; check CROSSDOCK_SMTP_USER and CROSSDOCK_SMTP_PASSWORD`,
      { category: 'user', retryable: false, cause },
    );
  }
  if (e.code === 'ETLS') {
    return new CrossdockError(
      'NOTIFY_SMTP_TLS_FAILED',
      `SMTP server ${server} did not start TLS${reply ? `: ${reply}` : ''}; nothing was sent. Use CROSSDOCK_SMTP_SECURE=true (port 465), or CROSSDOCK_SMTP_REQUIRE_TLS=false only on a trusted network`,
      { category: 'user', retryable: false, cause },
    );
  }
  if (e.responseCode !== undefined && reply !== null) {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    const who = e.rejected?.length ? ` for ${e.rejected.join(', ')}` : '';
    const at = e.command ? ` at ${e.command}` : '';
    return permanent
      ? new CrossdockError(
          'NOTIFY_SMTP_REJECTED',
          `SMTP server ${server} refused the message${who}${at}: ${reply}`,
          { category: 'user', retryable: false, cause },
        )
      : new CrossdockError(
          'NOTIFY_SMTP_DEFERRED',
          `SMTP server ${server} deferred the message${who}${at}: ${reply}`,
          { category: 'transient', cause },
        );
  }
  const reason = e.originalCode ?? e.code ?? 'error';
  return new CrossdockError(
    'NOTIFY_SMTP_UNAVAILABLE',
    `SMTP server ${server} could not be reached (${reason}): ${redact(String(e.message ?? cause), secrets).slice(0, 200)}`,
    { category: 'transient', cause },
  );
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Chat webhooks are named, never shown: the URL is the credential. */
export function chatStatusError(
  name: string,
  status: number,
  bodyText: string,
  secrets: readonly string[],
): CrossdockError {
  const retryable = RETRYABLE_STATUS.has(status);
  const body = bodyText ? `: ${redact(bodyText.slice(0, 200), secrets)}` : '';
  return new CrossdockError(
    retryable ? 'NOTIFY_CHAT_UNAVAILABLE' : 'NOTIFY_CHAT_REJECTED',
    `Chat webhook "${name}" answered ${status}${body}`,
    { category: retryable ? 'transient' : 'user', retryable },
  );
}

export function chatTransportError(
  name: string,
  cause: unknown,
  timedOut: boolean,
): CrossdockError {
  if (timedOut)
    return new CrossdockError(
      'NOTIFY_CHAT_UNAVAILABLE',
      `Chat webhook "${name}" did not answer in time`,
      { category: 'transient', cause },
    );
  const reason = (cause as { cause?: { code?: string } })?.cause?.code ?? 'connection failed';
  return new CrossdockError(
    'NOTIFY_CHAT_UNAVAILABLE',
    `Chat webhook "${name}" could not be reached (${reason})`,
    { category: 'transient', cause },
  );
}

export const notifyErrors = {
  channelUnconfigured: (channel: string, hint: string) =>
    new CrossdockError(
      'NOTIFY_CHANNEL_UNCONFIGURED',
      `No ${channel} channel is configured: ${hint}`,
      { category: 'user', retryable: false },
    ),
  webhookUnknown: (name: string, known: string[]) =>
    new CrossdockError(
      'NOTIFY_WEBHOOK_UNKNOWN',
      `No chat webhook "${name}"; configured: ${known.join(', ') || 'none'} (CROSSDOCK_CHAT_WEBHOOK_<NAME>)`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: 'with.to', message: `"${name}" is not a configured webhook` }],
      },
    ),
  templateUnknown: (name: string, known: string[]) =>
    new CrossdockError(
      'NOTIFY_TEMPLATE_UNKNOWN',
      `No notification template "${name}"; there are ${known.join(', ')}`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: 'with.template', message: `"${name}" is not a template` }],
      },
    ),
  templateVariable: (template: string, part: string, variable: string) =>
    new CrossdockError(
      'NOTIFY_TEMPLATE_VARIABLE_UNKNOWN',
      `Template ${template} (${part}) uses "${variable}", which its data does not have`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: `${template}.${part}`, message: `undefined variable: ${variable}` }],
      },
    ),
  templateInvalid: (template: string, part: string, message: string) =>
    new CrossdockError(
      'NOTIFY_TEMPLATE_INVALID',
      `Template ${template} (${part}) cannot be rendered: ${message}`,
      {
        category: 'user',
        retryable: false,
        details: [{ path: `${template}.${part}`, message }],
      },
    ),
  notFound: (id: string) =>
    new CrossdockError('NOTIFICATION_NOT_FOUND', `No notification ${id}`, {
      category: 'user',
      retryable: false,
    }),
  notResendable: (id: string, status: string) =>
    new CrossdockError(
      'NOTIFICATION_NOT_RESENDABLE',
      `Notification ${id} is ${status}; only a failed or dead one can be sent again`,
      { category: 'user', retryable: false },
    ),
  contentMissing: () =>
    new CrossdockError(
      'NOTIFY_CONTENT_MISSING',
      'A notification needs a template, or a body (and, for e-mail, a subject)',
      {
        category: 'user',
        retryable: false,
        details: [{ path: 'with', message: 'give template, or subject and body' }],
      },
    ),
};
