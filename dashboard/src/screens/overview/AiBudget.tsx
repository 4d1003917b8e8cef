/**
 * The provider's spend against its spending limit (CROSSDOCK_AI_BUDGET_*), from the `budget`
 * of GET /ai/summary: the UTC day's and month's dollars against each limit configured, and,
 * once one is reached, that the provider is not called (the fallback answers) until it resets.
 */
export interface AiBudgetStatus {
  dailyUsd: number | null;
  monthlyUsd: number | null;
  spentTodayUsd: number;
  spentMonthUsd: number;
  spent: 'day' | 'month' | null;
  resetsAt: string | null;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function AiBudgetLine({ budget }: { budget: AiBudgetStatus }) {
  const parts = [
    budget.dailyUsd !== null && `${usd(budget.spentTodayUsd)} of ${usd(budget.dailyUsd)} today`,
    budget.monthlyUsd !== null &&
      `${usd(budget.spentMonthUsd)} of ${usd(budget.monthlyUsd)} this month`,
  ].filter((p): p is string => typeof p === 'string');
  return (
    <p data-kpi="ai-budget">
      Provider spend (UTC): {parts.join('; ')}.{' '}
      {budget.spent && (
        <strong className="bad" role="status" data-kpi="ai-budget-spent">
          The {budget.spent === 'day' ? 'daily' : 'monthly'} limit is reached: the provider is not
          called until {budget.resetsAt}; the fallback answers.
        </strong>
      )}
    </p>
  );
}
