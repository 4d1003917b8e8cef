/**
 * The spending limit on the external provider (CROSSDOCK_AI_BUDGET_DAILY_USD,
 * CROSSDOCK_AI_BUDGET_MONTHLY_USD; docs/AI.md, "Spending limit"). Before each provider call
 * the spend of the UTC day and month is read from the recommendation log (what each
 * recommendation cost, priced when it was made); once a limit is reached, the call is not
 * made: it fails AI_BUDGET_SPENT, which the steps treat like any provider failure (triage falls
 * back to the case's default owner, extraction to its rules, the log row says why). The
 * built-in offline model and the rules cost nothing and are never limited.
 *
 * The check reads the log, so every process sees the same spend; calls already under way
 * when the limit is reached still finish, so the spend can pass the limit by their cost.
 */
import type { Kysely } from 'kysely';
import { CrossdockError } from '../errors/index.ts';
import type { ExceptionsService } from '../exceptions/index.ts';
import type { Database } from '../store/index.ts';
import { spentSince } from './log.ts';

export interface AiBudget {
  dailyUsd: number | null;
  monthlyUsd: number | null;
}

export interface BudgetStatus {
  dailyUsd: number | null;
  monthlyUsd: number | null;
  /** Dollars of the UTC day and of the UTC month so far. */
  spentTodayUsd: number;
  spentMonthUsd: number;
  /** Which limit is reached (the day's first), or null: the provider is called. */
  spent: 'day' | 'month' | null;
  /** When the limit reached resets (the next UTC day or month), ISO; null when none is. */
  resetsAt: string | null;
}

/** The actor of the budget's case in the case history and the audit log. */
export const BUDGET_ACTOR = 'system:ai-budget';

export class AiSpendingLimit {
  /** The case keys this process has opened (or found): the store's unique key is the guarantee. */
  readonly #opened = new Set<string>();

  constructor(
    private readonly o: {
      db: Kysely<Database>;
      exceptions: ExceptionsService;
      now: () => Date;
      budget: AiBudget;
    },
  ) {}

  async status(): Promise<BudgetStatus> {
    const { db, budget, now } = this.o;
    const at = now();
    const day = startOfUtcDay(at);
    const month = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
    const spentMonthUsd = roundUsd(await spentSince(db, month));
    const spentTodayUsd = roundUsd(await spentSince(db, day));
    const spent =
      budget.dailyUsd !== null && spentTodayUsd >= budget.dailyUsd
        ? 'day'
        : budget.monthlyUsd !== null && spentMonthUsd >= budget.monthlyUsd
          ? 'month'
          : null;
    const resetsAt =
      spent === 'day'
        ? new Date(day.getTime() + 86_400_000)
        : spent === 'month'
          ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1))
          : null;
    return {
      dailyUsd: budget.dailyUsd,
      monthlyUsd: budget.monthlyUsd,
      spentTodayUsd,
      spentMonthUsd,
      spent,
      resetsAt: resetsAt?.toISOString() ?? null,
    };
  }

  /**
   * Before a provider call: resolves when the budget allows it; else makes sure the period's
   * case is open (once per UTC day or month, whatever the number of calls or processes) and
   * throws AI_BUDGET_SPENT.
   */
  async admit(): Promise<void> {
    const s = await this.status();
    if (s.spent === null) return;
    const limit = s.spent === 'day' ? s.dailyUsd! : s.monthlyUsd!;
    const spentUsd = s.spent === 'day' ? s.spentTodayUsd : s.spentMonthUsd;
    const period =
      s.spent === 'day' ? this.o.now().toISOString().slice(0, 10) : monthOf(this.o.now());
    const name =
      s.spent === 'day' ? `CROSSDOCK_AI_BUDGET_DAILY_USD` : `CROSSDOCK_AI_BUDGET_MONTHLY_USD`;
    await this.#openCase(`ai-budget:${s.spent}:${period}`, {
      title: `AI spending limit reached: $${spentUsd} of $${limit} for ${period} (UTC); the provider is not called until ${s.resetsAt}`,
      details: {
        period: s.spent,
        [s.spent === 'day' ? 'day' : 'month']: period,
        limitUsd: limit,
        spentUsd,
        variable: name,
        resetsAt: s.resetsAt,
        meanwhile:
          'triage falls back to the default owner, extraction to its rules; raise the limit to call the provider again',
      },
    });
    throw new CrossdockError(
      'AI_BUDGET_SPENT',
      `The AI spending limit for ${period} is reached ($${spentUsd} of $${limit}, ${name}): the provider is not called until ${s.resetsAt}`,
      { category: 'policy', retryable: false },
    );
  }

  async #openCase(key: string, c: { title: string; details: Record<string, unknown> }) {
    if (this.#opened.has(key)) return;
    await this.o.exceptions.openCase(
      {
        type: 'check',
        severity: 'high',
        title: c.title,
        code: 'AI_BUDGET_SPENT',
        owner: { team: 'operations' },
        details: c.details,
        key,
      },
      { actor: BUDGET_ACTOR },
    );
    this.#opened.add(key);
  }
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
