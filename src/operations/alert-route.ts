import { z } from 'zod';
import { dynamic, type StepType } from '../workflows/index.ts';

/** What this instance can deliver an operations alert through (from the configuration). */
export interface AlertChannels {
  /** Names of the configured chat webhooks (CROSSDOCK_CHAT_WEBHOOK_<NAME>). */
  chatWebhooks: string[];
  /** True when e-mail can be sent (CROSSDOCK_SMTP_HOST). */
  email: boolean;
  /** Where alerts go by e-mail (CROSSDOCK_OPS_EMAIL). */
  alertEmail: string[];
}

export const AlertRouteConfig = z.strictObject({
  /** The chat webhook to prefer; default `ops`. */
  chat: dynamic(z.string().min(1).max(100)).optional(),
  /** Addresses instead of CROSSDOCK_OPS_EMAIL. */
  email: dynamic(
    z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(100)]),
  ).optional(),
});
export type AlertRouteConfig = z.infer<typeof AlertRouteConfig>;

/**
 * `operations.alert_route`: where an operations alert should go. Chat when the named webhook
 * exists, else e-mail when SMTP and an address are configured, else `none` with the reason,
 * so a workflow can skip the message (a `switch` on `channel`) instead of failing its run.
 * Output `{ channel: chat|email|none, to, reason }`. Reads configuration only.
 */
export function alertRouteStep(channels: AlertChannels | null): StepType<AlertRouteConfig> {
  return {
    type: 'operations.alert_route',
    description:
      'Picks the channel for an operations alert: the ops chat webhook, else the ops e-mail address, else none',
    config: AlertRouteConfig as never,
    sideEffect: false,
    async execute(_ctx, config) {
      const c = config as { chat?: string; email?: string | string[] };
      const chat = c.chat ?? 'ops';
      const email =
        c.email === undefined ? (channels?.alertEmail ?? []) : ([] as string[]).concat(c.email);
      if (channels?.chatWebhooks.includes(chat))
        return {
          kind: 'done',
          output: { channel: 'chat', to: [chat], reason: `chat webhook "${chat}" is configured` },
        };
      if (channels?.email && email.length > 0)
        return {
          kind: 'done',
          output: {
            channel: 'email',
            to: email,
            reason: `no chat webhook "${chat}"; e-mail to ${email.join(', ')}`,
          },
        };
      const missing = [
        `no chat webhook "${chat}" (CROSSDOCK_CHAT_WEBHOOK_${chat.toUpperCase().replaceAll('-', '_')})`,
      ];
      if (email.length === 0) missing.push('no address (CROSSDOCK_OPS_EMAIL)');
      if (!channels?.email) missing.push('no e-mail (CROSSDOCK_SMTP_HOST)');
      return { kind: 'done', output: { channel: 'none', to: [], reason: missing.join('; ') } };
    },
  };
}
