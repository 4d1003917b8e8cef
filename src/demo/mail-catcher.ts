import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  from: string;
  to: string[];
  /** The raw message, headers and body. */
  raw: string;
}

/** How many of the newest messages the catcher keeps; a demo left running must not grow without end. */
export const MAIL_CATCHER_KEEP = 500;

/**
 * A local SMTP server on 127.0.0.1 that keeps what it receives: the demo's mail inbox
 * (customers' notices, approvers' requests), so no e-mail leaves the machine.
 */
export interface MailCatcher {
  port: number;
  /** The newest messages, oldest first (at most MAIL_CATCHER_KEEP). */
  mails: CaughtMail[];
  /** Every message received since start. */
  readonly received: number;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        received++;
        if (mails.length > MAIL_CATCHER_KEEP) mails.splice(0, mails.length - MAIL_CATCHER_KEEP);
        callback();
      });
    },
  });
  // A sender that goes away mid-session (a worker process killed by the chaos demo, a client
  // that gave up) is its connection's error, which smtp-server emits on the server: without a
  // listener of its own the second one would end the process (the one below is used up once).
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    get received() {
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
