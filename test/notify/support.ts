import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { buildApi } from '../../src/api/index.ts';
import { loadConfig, type NotifyConfig } from '../../src/config/index.ts';
import { ManualClock, type Clock } from '../../src/engine/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { Notifications, type NotificationRow, type PassResult } from '../../src/notify/index.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

export interface ReceivedMail {
  envelopeTo: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string | null;
}

/**
 * A local SMTP server on 127.0.0.1 (no external mail service): keeps what it receives,
 * refuses recipients matching `reject` with a 550, and checks a login when given one.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  readonly #server: SMTPServer;
  readonly #waiters: (() => void)[] = [];
  #hold: Promise<void> | null = null;
  port = 0;
  /** Recipients refused with a 550; a test may change it (the mailbox was fixed). */
  reject: RegExp | undefined;

  constructor(options: { reject?: RegExp; login?: { user: string; pass: string } } = {}) {
    this.reject = options.reject;
    this.#server = new SMTPServer({
      logger: false,
      disabledCommands: options.login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.login,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        auth.username === options.login?.user && auth.password === options.login?.pass
          ? callback(null, { user: auth.username })
          : callback(
              Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }),
            ),
      onRcptTo: (address, _session, callback) =>
        this.reject?.test(address.address)
          ? callback(
              Object.assign(
                new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`),
                { responseCode: 550 },
              ),
            )
          : callback(),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            ...parseMime(Buffer.concat(chunks).toString('utf8')),
          });
          this.#waiters.splice(0).forEach((w) => w());
          const queued = `Message queued as Q${this.mails.length}`;
          const hold = this.#hold;
          this.#hold = null;
          if (hold) void hold.then(() => callback(null, queued));
          else callback(null, queued);
        });
      },
    });
    this.#server.on('error', () => undefined);
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  /** The next message is kept (recorded) but its 250 waits until `release` is called: a sender stuck after the send. */
  holdNext(): () => void {
    let release!: () => void;
    this.#hold = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  /** Resolves once `count` messages have arrived (event-driven; rejects after timeoutMs). */
  waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} e-mails, got ${this.mails.length}`)),
        timeoutMs,
      );
      const check = () => {
        if (this.mails.length >= count) {
          clearTimeout(timer);
          resolve(this.mails);
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A local chat incoming-webhook endpoint that records each JSON body. */
export class ChatSink {
  readonly posts: { path: string; body: unknown; headers: Record<string, unknown> }[] = [];
  status = 200;
  readonly #server: Server;
  url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.posts.push({
          path: req.url ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
          headers: req.headers,
        });
        res
          .writeHead(this.status, { 'content-type': 'text/plain' })
          .end(this.status === 200 ? 'ok' : 'invalid_token');
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The local test servers speak plain SMTP (no STARTTLS), so TLS is not required unless a test asks. */
export function notifyConfig(
  o: {
    smtpPort?: number;
    login?: { user: string; pass: string };
    requireTls?: boolean;
    chat?: Record<string, string>;
  } = {},
): NotifyConfig {
  return {
    smtp:
      o.smtpPort === undefined
        ? null
        : {
            host: '127.0.0.1',
            port: o.smtpPort,
            secure: false,
            requireTls: o.requireTls ?? false,
            user: o.login?.user ?? null,
            password: o.login?.pass ?? null,
            from: 'Crossdock <crossdock@acme.test>',
          },
    chatWebhooks: o.chat ?? {},
    pollIntervalMs: 60_000, // tests wake the dispatcher; the poll never decides an outcome
    maxAttempts: 5,
  };
}

export interface NotifyHarness {
  t: TestStore<Reachable>;
  clock: ManualClock;
  notifications: Notifications;
  /** Wakes the dispatcher and resolves with the pass it ran. */
  pass(): Promise<PassResult>;
  row(dedupeKey: string): Promise<NotificationRow>;
  /**
   * The row once `done` holds: a bounded loop over the dispatcher's own passes (each
   * awaited, none slept), because an enqueue may already have woken a pass of its own.
   */
  until(
    dedupeKey: string,
    done: (row: NotificationRow) => boolean,
    passes?: number,
  ): Promise<NotificationRow>;
  close(): Promise<void>;
}

export async function notifyHarness(config: NotifyConfig): Promise<NotifyHarness> {
  const t = await openTestStore({ onDisk: true });
  const clock = new ManualClock('2026-06-01T08:00:00Z');
  const notifications = new Notifications({
    db: t.store.db as never,
    config,
    clock,
    logger: silentLogger(),
    random: () => 0.5,
    smtpTimeouts: { connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 5_000 },
    chatTimeoutMs: 2_000,
  });
  notifications.start();
  const pass = () => {
    const next = notifications.dispatcher.nextPass();
    notifications.dispatcher.wake();
    return next;
  };
  const row = async (dedupeKey: string) => {
    const found = (
      await sql<NotificationRow>`SELECT * FROM notifications WHERE dedupe_key = ${dedupeKey}`.execute(
        t.store.db,
      )
    ).rows[0];
    if (!found) throw new Error(`no notification ${dedupeKey}`);
    return found;
  };
  return {
    t,
    clock,
    notifications,
    pass,
    row,
    async until(dedupeKey, done, passes = 10) {
      for (let i = 0; ; i++) {
        const found = await row(dedupeKey);
        if (done(found)) return found;
        if (i >= passes)
          throw new Error(
            `notification ${dedupeKey} is ${found.status} after ${passes} passes: ${found.last_error}`,
          );
        await pass();
      }
    },
    async close() {
      await notifications.stop();
      await t.dispose();
    },
  };
}

/** Just enough MIME for our own messages: headers, and the text and html parts. */
export function parseMime(raw: string): Omit<ReceivedMail, 'envelopeTo'> {
  const [head, body] = splitHead(raw);
  const headers = parseHeaders(head);
  const parts: { type: string; content: string }[] = [];
  collectParts(headers, body, parts);
  return {
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    text: parts.find((p) => p.type.startsWith('text/plain'))?.content ?? '',
    html: parts.find((p) => p.type.startsWith('text/html'))?.content ?? null,
  };
}

function splitHead(raw: string): [string, string] {
  const at = raw.indexOf('\r\n\r\n');
  return at < 0 ? [raw, ''] : [raw.slice(0, at), raw.slice(at + 4)];
}

function parseHeaders(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

function collectParts(
  headers: Record<string, string>,
  body: string,
  out: { type: string; content: string }[],
): void {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const [h, b] = splitHead(chunk.replace(/^\r\n/, ''));
      collectParts(parseHeaders(h), b.replace(/\r\n$/, ''), out);
    }
    return;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const content =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r\n/g, '')
              .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  out.push({ type, content: content.replace(/\r\n/g, '\n') });
}

export interface MailingInstance {
  crossdock: Crossdock;
  /** Where its API listens (a browser, a link's target). */
  base: string;
  close(): Promise<void>;
}

/**
 * A whole Crossdock (createCrossdock: its dispatcher, approvals, exception queue) on a test
 * store, sending e-mail to `smtp`, with its API listening; `env` adds or overrides settings.
 */
export async function mailingInstance(
  smtp: SmtpSink,
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<MailingInstance> {
  const t = await openTestStore({ onDisk: true });
  const store: Record<string, string> =
    t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir };
  if (t.connection.kind === 'pglite') await t.store.close(); // one process, one PGlite: the instance opens it
  // A directory of the instance's own: the state directory is made owner-only.
  const stateDir =
    t.connection.kind === 'pglite'
      ? dirname(t.connection.dataDir)
      : mkdtempSync(join(tmpdir(), 'crossdock-notify-state-'));
  const crossdock = await createCrossdock(
    loadConfig({
      ...store,
      CROSSDOCK_STATE_DIR: stateDir,
      CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      CROSSDOCK_SMTP_HOST: '127.0.0.1',
      CROSSDOCK_SMTP_PORT: String(smtp.port),
      CROSSDOCK_MAIL_FROM: 'Crossdock <crossdock@acme.test>',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    { logger: silentLogger(), migrate: false, ...(options.clock ? { clock: options.clock } : {}) },
  );
  const api = await buildApi({
    services: crossdock.services,
    logger: silentLogger(),
    maxBodyBytes: 64 * 1024,
    rateLimit: { perMinute: 100_000, loginPerMinute: 1_000 },
    dashboardDir: null,
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  crossdock.engine.vars.apiUrl = base;
  return {
    crossdock,
    base,
    async close() {
      await api.close();
      await crossdock.close();
      if (t.connection.kind === 'pglite')
        rmSync(dirname(t.connection.dataDir), { recursive: true, force: true });
      else {
        await t.dispose();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
