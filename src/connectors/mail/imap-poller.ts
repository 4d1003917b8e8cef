/**
 * Polls the configured IMAP mailboxes (CROSSDOCK_MAIL_IMAP_CONFIG), each at its interval,
 * in every process that runs an instance (`crossdock start`, worker processes): a mailbox is
 * polled only under its lease in `imap_mailboxes`, so two processes never poll it at once.
 * Poll only, no IDLE (decision 0061): each poll is one short session that ends with the
 * lease given back.
 *
 * Failures (server down, password refused, connection dropped, store down) fail the poll:
 * nothing past the last message taken is marked, the next poll is put off by the backoff
 * (src/workflows/backoff.ts), the mailbox's row shows the error, and an exception case
 * opens after `case_after_failures` failed polls in a row (at once for a refused
 * password); the next good poll resolves it. Messages wait on the server meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CrossdockError, isCrossdockError, toCrossdockError } from '../../errors/index.ts';
import type { Logger } from '../../observability/index.ts';
import { backoffDelayMs, type Backoff, type RandomSource } from '../../workflows/index.ts';
import type { ImapMailbox } from './imap-config.ts';
import { ImapMailboxStates, type MailboxState } from './imap-state.ts';
import { pollSession, type SessionDeps, type SessionOutcome } from './imap-session.ts';
import type { ReceiveDeps } from './receive.ts';

/** Where a mailbox's trouble goes: exception cases (src/exceptions/mailbox-cases.ts). */
export interface MailboxCasePort {
  failing(f: {
    mailbox: string;
    host: string;
    user: string;
    folder: string;
    failingSince: Date;
    failures: number;
    code: string;
    message: string;
  }): Promise<void>;
  recovered(mailbox: string): Promise<number>;
  refused(m: {
    mailbox: string;
    folder: string;
    uidValidity: number;
    uid: number;
    subject: string;
    messageKey: string;
    code: string;
    message: string;
  }): Promise<void>;
}

export interface ImapPollerDeps extends ReceiveDeps {
  logger: Logger;
  /** The plaintext of an entry of the secrets store, asked at each login, never kept. */
  revealSecret(name: string): Promise<string>;
  cases: MailboxCasePort;
  random?: RandomSource;
}

export type PollResult =
  | { mailbox: string; status: 'polled'; outcome: SessionOutcome }
  | { mailbox: string; status: 'busy' }
  | { mailbox: string; status: 'failed'; code: string; message: string; failures: number };

/** After a failed poll: from 5 s (or the interval, if shorter) up to 15 minutes. */
const backoffOf = (m: ImapMailbox): Backoff => ({
  initial_delay_ms: Math.min(m.pollIntervalMs, 5_000),
  max_delay_ms: Math.max(m.pollIntervalMs, 900_000),
  multiplier: 2,
  jitter: 0.2,
});

export class ImapPoller {
  readonly states: ImapMailboxStates;
  /** This process's name on the leases; two instances in one process differ. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #deps: ImapPollerDeps;
  readonly #mailboxes: readonly ImapMailbox[];
  readonly #inFlight = new Map<string, Promise<PollResult>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #running = false;

  constructor(mailboxes: readonly ImapMailbox[], deps: ImapPollerDeps) {
    this.#mailboxes = mailboxes;
    this.#deps = deps;
    this.states = new ImapMailboxStates(deps.db);
  }

  get mailboxes(): readonly ImapMailbox[] {
    return this.#mailboxes;
  }

  /** Polls each mailbox now, then at its interval (or its backoff after a failure). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const m of this.#mailboxes) this.#schedule(m, 0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** One poll of the mailbox now (after the one under way, if any); never throws. */
  async pollNow(name: string): Promise<PollResult> {
    const m = this.#mailboxes.find((b) => b.name === name);
    if (!m) throw new Error(`no IMAP mailbox "${name}"`);
    while (this.#inFlight.has(name)) await this.#inFlight.get(name);
    const poll = this.#poll(m).finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, poll);
    return poll;
  }

  #schedule(m: ImapMailbox, delayMs: number): void {
    if (!this.#running) return;
    clearTimeout(this.#timers.get(m.name));
    const timer = setTimeout(() => {
      void this.pollNow(m.name).then((r) => this.#schedule(m, this.#delayAfter(m, r)));
    }, delayMs);
    timer.unref();
    this.#timers.set(m.name, timer);
  }

  #delayAfter(m: ImapMailbox, r: PollResult): number {
    if (r.status === 'failed')
      return backoffDelayMs(backoffOf(m), r.failures, this.#deps.random ?? Math.random);
    // More waiting than one poll takes: the next batch soon, not a whole interval later.
    if (r.status === 'polled' && r.outcome.more) return 0;
    return m.pollIntervalMs;
  }

  async #poll(m: ImapMailbox): Promise<PollResult> {
    const now = this.#deps.now();
    const leaseMs = Math.max(m.timeoutMs * 4, 60_000);
    let state: MailboxState | null;
    try {
      state = await this.states.claim(m.name, this.owner, now, new Date(now.getTime() + leaseMs));
    } catch (error) {
      this.#deps.logger.warn({ err: error, mailbox: m.name }, 'IMAP poll: store unavailable');
      return {
        mailbox: m.name,
        status: 'failed',
        code: toCrossdockError(error).code,
        message: '',
        failures: 1,
      };
    }
    if (!state) return { mailbox: m.name, status: 'busy' };
    try {
      const outcome = await this.#session(m, state, leaseMs);
      await this.#succeeded(m, outcome);
      return { mailbox: m.name, status: 'polled', outcome };
    } catch (thrown) {
      return await this.#failed(m, toCrossdockError(thrown));
    } finally {
      await this.states.release(m.name, this.owner).catch(() => undefined);
    }
  }

  async #session(m: ImapMailbox, state: MailboxState, leaseMs: number): Promise<SessionOutcome> {
    const password = await this.#deps.revealSecret(m.passwordSecret).catch((error: unknown) => {
      const e = toCrossdockError(error);
      throw e.code === 'SECRET_NOT_FOUND' || e.code === 'SECRETS_KEY_MISSING'
        ? imapAuthMissing(m, e)
        : e;
    });
    const deps: SessionDeps = {
      ...this.#deps,
      states: this.states,
      owner: this.owner,
      leaseMs,
      refused: (r) =>
        this.#deps.cases.refused({
          mailbox: m.name,
          folder: m.folder,
          uidValidity: r.uidValidity,
          uid: r.uid,
          subject: r.subject,
          messageKey: r.messageKey,
          code: r.error.code,
          message: r.error.message,
        }),
    };
    return pollSession(deps, m, state, password);
  }

  async #succeeded(m: ImapMailbox, outcome: SessionOutcome): Promise<void> {
    const now = this.#deps.now();
    await this.states.succeeded(m.name, now, new Date(now.getTime() + m.pollIntervalMs));
    const resolved = await this.#deps.cases.recovered(m.name);
    if (outcome.taken + outcome.refused > 0 || outcome.rescanned || resolved > 0)
      this.#deps.logger.info(
        { mailbox: m.name, ...outcome, casesResolved: resolved },
        outcome.rescanned
          ? 'IMAP poll: the folder was renumbered (UIDVALIDITY); read again, duplicates skipped'
          : 'IMAP poll: messages taken',
      );
  }

  async #failed(m: ImapMailbox, error: CrossdockError): Promise<PollResult> {
    const now = this.#deps.now();
    const result = {
      mailbox: m.name,
      status: 'failed' as const,
      code: error.code,
      message: error.message,
    };
    this.#deps.logger.warn(
      { mailbox: m.name, code: error.code, err: error.message },
      'IMAP poll failed',
    );
    try {
      const { failures, failingSince } = await this.states.failed(
        m.name,
        error,
        now,
        (n) =>
          new Date(
            now.getTime() + backoffDelayMs(backoffOf(m), n, this.#deps.random ?? Math.random),
          ),
      );
      if (failures >= m.caseAfterFailures || error.code === 'IMAP_AUTH_FAILED')
        await this.#deps.cases.failing({
          mailbox: m.name,
          host: m.host,
          user: m.user,
          folder: m.folder,
          failingSince,
          failures,
          code: error.code,
          message: error.message,
        });
      return { ...result, failures };
    } catch (recording) {
      // The store is down too: the failure is logged; the backoff still applies in this process.
      if (!isCrossdockError(recording)) throw recording;
      this.#deps.logger.warn(
        { mailbox: m.name, err: recording.message },
        'IMAP poll failure not recorded',
      );
      return { ...result, failures: 1 };
    }
  }
}

function imapAuthMissing(m: ImapMailbox, cause: CrossdockError): CrossdockError {
  return new CrossdockError(
    'IMAP_AUTH_FAILED',
    `IMAP mailbox ${m.name}: its password_secret "${m.passwordSecret}" cannot be read (${cause.code}); set it with crossdock secrets set ${m.passwordSecret}`,
    { cause },
  );
}
