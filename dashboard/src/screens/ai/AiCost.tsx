/**
 * What the AI recommendations of the last 30 days cost (GET /ai/summary?days=30, `cost`): the
 * total, by use, and by UTC day. A model without a configured price (CROSSDOCK_AI_PRICES)
 * counts as "unpriced", never as free; the built-in offline model and the rules cost $0.
 */
import { ErrorNote, Loading, Section } from '../../components/ui.tsx';
import { useGet } from '../../hooks.ts';
import { usd } from './types.ts';

interface Totals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unpriced: number;
}

interface Summary {
  since: string;
  until: string;
  cost: Totals & {
    byUse: (Totals & { use: string })[];
    byDay: (Totals & { use: string; day: string })[];
  };
}

const unpriced = (t: Totals) => (t.unpriced > 0 ? ` (${t.unpriced} unpriced)` : '');

export function AiCost() {
  const summary = useGet<Summary>('/ai/summary?days=30');
  const cost = summary.data?.cost;
  return (
    <Section title="Cost, last 30 days">
      <ErrorNote error={summary.error} />
      {summary.loading && !summary.data && <Loading what="AI cost" />}
      {cost && (
        <>
          <p data-ai-cost="total">
            {usd(cost.costUsd)} for {cost.calls} call{cost.calls === 1 ? '' : 's'}
            {unpriced(cost)}, {cost.promptTokens} + {cost.completionTokens} tokens
          </p>
          {cost.byUse.length > 0 && (
            <table className="table" aria-label="AI cost by use and day">
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col">Use</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Tokens (in + out)</th>
                  <th scope="col">Cost</th>
                </tr>
              </thead>
              <tbody>
                {cost.byUse.map((u) => (
                  <tr key={`all-${u.use}`} data-ai-cost-use={u.use}>
                    <th scope="row">all 30 days</th>
                    <td>{u.use}</td>
                    <td>{u.calls}</td>
                    <td>
                      {u.promptTokens} + {u.completionTokens}
                    </td>
                    <td>
                      {usd(u.costUsd)}
                      {unpriced(u)}
                    </td>
                  </tr>
                ))}
                {[...cost.byDay].reverse().map((d) => (
                  <tr key={`${d.day}-${d.use}`}>
                    <td>{d.day}</td>
                    <td>{d.use}</td>
                    <td>{d.calls}</td>
                    <td>
                      {d.promptTokens} + {d.completionTokens}
                    </td>
                    <td>
                      {usd(d.costUsd)}
                      {unpriced(d)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  );
}
