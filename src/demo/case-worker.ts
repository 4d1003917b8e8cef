/**
 * The demo's people work the exception queue, as they work their approvals inbox (actors.ts):
 * a case open for longer than `afterMs` is settled the way its team would settle it. An order
 * held for its customer or its credit is cancelled (credit control spoke to the customer); a
 * damaged delivery is reshipped; an EDI document is resent; a case that offers no action (a
 * freight delivery booked by hand, a refused return, a bill variance looked into) is resolved
 * as handled by hand. An order held for stock is left to the stock that comes in.
 *
 * Without them a demo left running keeps every case it opened, and the runs that wait on those
 * cases, for as long as it runs: its store and memory grow with them (bench/RESULTS.md).
 */
import type { Logger } from '../observability/index.ts';

/** What the worker reads of a case (the exception queue's CaseView). */
interface OpenCase {
  id: string;
  errorCode: string | null;
  owner: { team: string | null };
  actions: string[];
}

/** The exception queue as the worker uses it (ExceptionsService; the demo may not import it). */
export interface CaseQueue {
  list(filter: {
    status: 'open';
    openedBefore: Date;
    limit: number;
  }): Promise<{ cases: OpenCase[] }>;
  act(id: string, action: string, note: string | null, who: { actor: string }): Promise<unknown>;
  resolve(
    id: string,
    reasonCode: 'handled_manually',
    note: string | null,
    who: { actor: string },
  ): Promise<unknown>;
}

/** The action each kind of open case gets, in order of preference; none: resolved by hand. */
const PREFERRED = ['reship', 'resend', 'cancel'];

export interface CaseWorkerOptions {
  exceptions: CaseQueue;
  /** The person acting for a case's team (the demo's people, by team). */
  actorFor(team: string | null): string;
  /** Settle cases open for longer than this. */
  afterMs: number;
  pollMs: number;
  now(): Date;
  logger: Logger;
}

export class CaseWorker {
  #poller: NodeJS.Timeout | null = null;
  #scanning = false;

  constructor(private readonly o: CaseWorkerOptions) {}

  start(): void {
    this.#poller = setInterval(() => void this.scan(), this.o.pollMs);
  }

  stop(): void {
    if (this.#poller) clearInterval(this.#poller);
  }

  /** One look at the queue: settles what has waited long enough; how many cases it settled. */
  async scan(): Promise<number> {
    if (this.#scanning) return 0;
    this.#scanning = true;
    try {
      const openedBefore = new Date(this.o.now().getTime() - this.o.afterMs);
      const { cases } = await this.o.exceptions.list({ status: 'open', openedBefore, limit: 200 });
      let done = 0;
      for (const c of cases) if (await this.#settle(c)) done += 1;
      return done;
    } finally {
      this.#scanning = false;
    }
  }

  async #settle(c: OpenCase): Promise<boolean> {
    if (c.errorCode === 'STOCK_HOLD') return false;
    const who = { actor: this.o.actorFor(c.owner.team) };
    const action = PREFERRED.find((a) => c.actions.includes(a));
    try {
      if (action) {
        await this.o.exceptions.act(c.id, action, 'settled by the demo team', who);
      } else if (c.actions.length === 0) {
        await this.o.exceptions.resolve(c.id, 'handled_manually', 'settled by the demo team', who);
      } else return false;
      return true;
    } catch (error) {
      // A run may have closed the case meanwhile: the next look no longer finds it.
      this.o.logger.debug({ err: error, caseId: c.id }, 'demo case worker: not settled');
      return false;
    }
  }
}

/** Who acts for a team's cases: the demo person whose e-mail names the team's work, else the first. */
export function teamActors(
  people: Iterable<{ email: string; actor: string }>,
): (team: string | null) => string {
  const all = [...people];
  const byWork: Record<string, string> = {
    'credit-control': 'fiona.finance',
    dispatch: 'dirk.dispatch',
    warehouse: 'wendy.warehouse',
    purchasing: 'bea.buyer',
    payables: 'alex.payables',
  };
  return (team) =>
    (all.find((p) => team !== null && p.email.startsWith(`${byWork[team] ?? team}@`)) ?? all[0]!)
      .actor;
}
