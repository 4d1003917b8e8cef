import { Gauge, type Registry } from 'prom-client';
import type { ImapMailboxStates, MailboxState } from './imap-state.ts';

/**
 * Each polled mailbox's health on /metrics, read from the store at scrape time (so it is
 * right whichever process polled last): failed polls in a row, messages taken, and the
 * time of the last good poll (alert when it falls behind). Each gauge reads the rows itself:
 * a registry collects its metrics concurrently, so one cannot fill another.
 */
export function registerImapMetrics(registry: Registry, states: ImapMailboxStates): void {
  const gauge = (name: string, help: string, value: (s: MailboxState) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['mailbox'],
      registers: [registry],
      async collect() {
        const rows = await states.list();
        this.reset();
        for (const r of rows) {
          const v = value(r);
          if (v !== null) this.set({ mailbox: r.mailbox }, v);
        }
      },
    });
  gauge(
    'crossdock_imap_mailbox_failures',
    'Failed polls in a row of an IMAP mailbox (0: its last poll succeeded)',
    (s) => s.failures,
  );
  gauge(
    'crossdock_imap_messages_taken',
    'Messages of an IMAP mailbox stored as new events since it was first polled',
    (s) => s.messagesTaken,
  );
  gauge(
    'crossdock_imap_last_success_timestamp_seconds',
    'When an IMAP mailbox was last polled without error (Unix time)',
    (s) => (s.lastSuccessAt ? s.lastSuccessAt.getTime() / 1000 : null),
  );
}
