import { Gauge, type Registry } from 'prom-client';
import type { ImapMailboxStates } from './imap-state.ts';

/**
 * Each polled mailbox's health on /metrics, read from the store at scrape time (so it is
 * right whichever process polled last): failed polls in a row, messages taken, and the
 * time of the last good poll (alert when it falls behind).
 */
export function registerImapMetrics(registry: Registry, states: ImapMailboxStates): void {
  const failures = new Gauge({
    name: 'crossdock_imap_mailbox_failures',
    help: 'Failed polls in a row of an IMAP mailbox (0: its last poll succeeded)',
    labelNames: ['mailbox'],
    registers: [registry],
    async collect() {
      const rows = await states.list();
      this.reset();
      for (const r of rows) {
        this.set({ mailbox: r.mailbox }, r.failures);
        taken.set({ mailbox: r.mailbox }, r.messagesTaken);
        if (r.lastSuccessAt)
          lastSuccess.set({ mailbox: r.mailbox }, r.lastSuccessAt.getTime() / 1000);
      }
    },
  });
  const taken = new Gauge({
    name: 'crossdock_imap_messages_taken',
    help: 'Messages of an IMAP mailbox stored as new events since it was first polled',
    labelNames: ['mailbox'],
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'crossdock_imap_last_success_timestamp_seconds',
    help: 'When an IMAP mailbox was last polled without error (Unix time)',
    labelNames: ['mailbox'],
    registers: [registry],
  });
  void failures;
}
