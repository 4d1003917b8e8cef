import type { Kysely } from 'kysely';
import type { NotifyConfig } from '../config/index.ts';
import type { Clock, Random } from '../engine/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { Logger } from '../observability/index.ts';
import type { MessageTemplate } from './builtin-templates.ts';
import { chatChannel, emailChannel, type ChannelSender, type EmailTimeouts } from './channels.ts';
import { NotificationDispatcher } from './dispatcher.ts';
import { notifyErrors } from './errors.ts';
import {
  enqueueNotification,
  listNotifications,
  messageIdFor,
  type Channel,
  type NotificationRow,
  type NotificationStatus,
} from './outbox.ts';
import { TemplateRenderer } from './templates.ts';
import type { Database } from '../store/index.ts';

export interface NotificationsOptions {
  db: Kysely<Database>;
  config: NotifyConfig;
  clock: Clock;
  logger: Logger;
  random?: Random;
  /** Templates next to (or replacing) the shipped ones, by name. */
  templates?: Record<string, MessageTemplate>;
  smtpTimeouts?: EmailTimeouts;
  chatTimeoutMs?: number;
  /** Dispatcher tuning (tests use a small claim time). */
  claimMs?: number;
}

/** A message to queue: a named template or inline Liquid, rendered with `data`. */
export interface NotificationRequest {
  /** Once per key: the step's idempotency key, an approval notice's key. */
  dedupeKey: string;
  channel: Channel;
  /** E-mail addresses; for chat, the name of one configured webhook. */
  to: string[];
  template?: string;
  inline?: MessageTemplate;
  data: Record<string, unknown>;
}

const ADDRESS = /^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/;

/**
 * Notifications of one Crossdock instance: render, queue in the outbox (in the caller's
 * transaction when given one), deliver with the dispatcher. The outbox guarantee: a message
 * is queued at most once per dedupe key, and is queued if and only if the caller's
 * transaction commits.
 */
export class Notifications {
  readonly templates: TemplateRenderer;
  readonly dispatcher: NotificationDispatcher;
  readonly #o: NotificationsOptions;
  readonly #channels: Partial<Record<Channel, ChannelSender>>;
  readonly #messageDomain: string;

  constructor(options: NotificationsOptions) {
    this.#o = options;
    this.templates = new TemplateRenderer(options.templates);
    const { smtp, chatWebhooks } = options.config;
    this.#channels = {
      ...(smtp ? { email: emailChannel(smtp, options.smtpTimeouts) } : {}),
      ...(Object.keys(chatWebhooks).length > 0
        ? { chat: chatChannel(chatWebhooks, options.chatTimeoutMs) }
        : {}),
    };
    this.#messageDomain = (smtp && /@([^<>@\s]+)>?$/.exec(smtp.from)?.[1]) || 'crossdock.invalid';
    this.dispatcher = new NotificationDispatcher({
      db: options.db,
      clock: options.clock,
      random: options.random ?? Math.random,
      logger: options.logger,
      channels: this.#channels,
      pollIntervalMs: options.config.pollIntervalMs,
      maxAttempts: options.config.maxAttempts,
      ...(options.claimMs === undefined ? {} : { claimMs: options.claimMs }),
    });
  }

  /** The channels that can deliver (e-mail needs CROSSDOCK_SMTP_HOST, chat a webhook). */
  get channels(): Channel[] {
    return Object.keys(this.#channels) as Channel[];
  }

  /**
   * Renders and queues a message. With `tx` the row commits (or not) with the caller's
   * transaction, and the dispatcher is woken by the caller's post-commit signal (or its
   * poll); without, it commits at once and the dispatcher is woken now.
   */
  async enqueue(
    request: NotificationRequest,
    tx?: Kysely<Database>,
  ): Promise<{ id: string; duplicate: boolean }> {
    this.#check(request);
    const rendered =
      request.template !== undefined
        ? await this.templates.render(request.template, request.data)
        : await this.templates.renderTemplate('inline', request.inline!, request.data);
    const queued = await enqueueNotification(
      tx ?? this.#o.db,
      {
        dedupeKey: request.dedupeKey,
        channel: request.channel,
        recipients: request.to,
        subject: rendered.subject,
        text: rendered.text,
        html: request.channel === 'email' ? rendered.html : null,
        template: request.template ?? null,
      },
      messageIdFor(request.dedupeKey, this.#messageDomain),
      this.#o.clock.now(),
    );
    if (!tx && !queued.duplicate) this.dispatcher.wake();
    return queued;
  }

  list(
    filter: { status?: NotificationStatus; dedupeKeyPrefix?: string; limit?: number } = {},
  ): Promise<NotificationRow[]> {
    return listNotifications(this.#o.db, filter);
  }

  start(wakeSources: ((wake: () => void) => () => void)[] = []): void {
    this.dispatcher.start(wakeSources);
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    for (const channel of Object.values(this.#channels)) channel.close();
  }

  #check(r: NotificationRequest): void {
    if (!this.#channels[r.channel]) {
      throw notifyErrors.channelUnconfigured(
        r.channel,
        r.channel === 'email'
          ? 'set CROSSDOCK_SMTP_HOST and CROSSDOCK_MAIL_FROM'
          : 'set CROSSDOCK_CHAT_WEBHOOK_<NAME> to an incoming-webhook URL',
      );
    }
    if (r.template === undefined && r.inline === undefined) throw notifyErrors.contentMissing();
    if (r.to.length === 0) throw recipientError('no recipient');
    if (r.channel === 'email') {
      const bad = r.to.filter((a) => !ADDRESS.test(a));
      if (bad.length > 0)
        throw recipientError(`not e-mail addresses: ${bad.slice(0, 5).join(', ')}`);
      if (r.to.length > 100) throw recipientError('at most 100 recipients per message');
      return;
    }
    const hooks = this.#o.config.chatWebhooks;
    if (r.to.length !== 1) throw recipientError('a chat message goes to one webhook (by name)');
    if (!Object.hasOwn(hooks, r.to[0]!))
      throw notifyErrors.webhookUnknown(r.to[0]!, Object.keys(hooks));
  }
}

function recipientError(message: string): CrossdockError {
  return new CrossdockError(
    'NOTIFY_RECIPIENT_INVALID',
    `Cannot queue the notification: ${message}`,
    { category: 'user', retryable: false, details: [{ path: 'with.to', message }] },
  );
}
