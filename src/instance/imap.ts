import type { Registry } from 'prom-client';
import type { CrossdockConfig } from '../config/index.ts';
import type { ImapPoller, ImapPollerDeps } from '../connectors/mail/index.ts';
import type { CrossdockOptions } from './types.ts';

/**
 * The IMAP poller of an instance, when mailboxes are configured (in code, or the file
 * CROSSDOCK_MAIL_IMAP_CONFIG, refused at once when invalid); null otherwise. imapflow is
 * loaded only then.
 */
export async function imapPollerFor(
  config: CrossdockConfig,
  options: CrossdockOptions,
  deps: ImapPollerDeps & { metrics: Registry },
): Promise<ImapPoller | null> {
  if (!options.imapMailboxes && !config.mailImapConfigPath) return null;
  const { ImapPoller, loadImapMailboxes, registerImapMetrics } =
    await import('../connectors/mail/index.ts');
  const mailboxes = options.imapMailboxes ?? loadImapMailboxes(config.mailImapConfigPath!);
  const poller = new ImapPoller(mailboxes, deps);
  registerImapMetrics(deps.metrics, poller.states);
  return poller;
}
