/** The Overview's wide cards: per-connector error rates, approval aging and exceptions by type and age. */
import { BarList, StackedBars } from '../../components/charts.tsx';
import { duration, percent, type Kpis } from './kpis.ts';

const CASE_TYPE_COLOR: Record<string, string> = {
  dead_letter: 'var(--bad)',
  odoo_refusal: '#c58a00',
  raised: 'var(--info)',
  check: '#7b8794',
  event_conflict: '#a05cc8',
  event_order: '#5c7cc8',
};

/** Calls and failed calls per connector (odoo:<connection>, carrier:<code>) in the range. */
export function ConnectorsCard({ k }: { k: Kpis }) {
  return (
    <article className="card wide" aria-label="Integration error rate">
      <h2>Integration error rate</h2>
      <p className="muted small">
        calls to Odoo and each carrier in the range; an error is any call that did not succeed
        (timeout, 5xx, 429, refusal)
      </p>
      {k.connectors.length === 0 ? (
        <p className="muted" data-kpi="connectors-none">
          No connector calls in the range
        </p>
      ) : (
        <table className="table" aria-label="Error rate per connector">
          <thead>
            <tr>
              <th>Connector</th>
              <th>Error rate</th>
              <th>Calls</th>
              <th>Errors</th>
              <th>Per {k.bucket}</th>
            </tr>
          </thead>
          <tbody>
            {k.connectors.map((c) => (
              <tr key={c.connector} data-connector={c.connector}>
                <td>
                  <code>{c.connector}</code>
                </td>
                <td
                  data-kpi="connector-error-rate"
                  className={(c.errorRate ?? 0) > 0.05 ? 'bad' : undefined}
                >
                  {percent(c.errorRate)}
                </td>
                <td data-kpi="connector-calls">{c.calls}</td>
                <td data-kpi="connector-errors">{c.errors}</td>
                <td className="chart-cell">
                  <StackedBars
                    height={24}
                    label={`${c.connector} calls per ${k.bucket}: succeeded and failed`}
                    series={[
                      {
                        name: 'ok',
                        values: c.series.calls.map((n, i) => n - (c.series.errors[i] ?? 0)),
                        color: 'var(--good)',
                      },
                      { name: 'errors', values: c.series.errors, color: 'var(--bad)' },
                    ]}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

/** Pending approval requests by their current level, as of now. */
export function ApprovalAgingCard({ approvals: a }: { approvals: Kpis['approvals'] }) {
  return (
    <article className="card wide" aria-label="Approval aging">
      <h2>Approval aging</h2>
      <p className="muted small">
        pending requests by their current level, now; past SLA: the level's deadline has passed
      </p>
      {a.byLevel.length === 0 ? (
        <p className="muted">Nothing waiting for approval</p>
      ) : (
        <>
          <BarList
            label="Approvals waiting by level"
            items={a.byLevel.map((l) => ({
              name: l.level,
              value: l.waiting,
              tone: l.breached > 0 ? 'bad' : 'warn',
            }))}
          />
          <table className="table" aria-label="Approval aging by level">
            <thead>
              <tr>
                <th>Level</th>
                <th>Waiting</th>
                <th>Past SLA</th>
                <th>Longest wait</th>
              </tr>
            </thead>
            <tbody>
              {a.byLevel.map((l) => (
                <tr key={l.level} data-level={l.level}>
                  <td>{l.level}</td>
                  <td data-kpi="level-waiting">{l.waiting}</td>
                  <td data-kpi="level-breached" className={l.breached > 0 ? 'bad' : undefined}>
                    {l.breached}
                  </td>
                  <td data-kpi="level-oldest">{duration(l.oldestWaitMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </article>
  );
}

/** Open exception cases, case type x how long they have been open, as of now. */
export function ExceptionMatrixCard({ exceptions: e }: { exceptions: Kpis['exceptions'] }) {
  return (
    <article className="card wide" aria-label="Open exceptions by type and age">
      <h2>Exceptions by type and age</h2>
      <StackedBars
        label={`Open exceptions per age bucket (${e.ageBuckets.join(', ')}), stacked by type: ${e.byType.map((t) => `${t.type} ${t.byAge.join('/')}`).join('; ')}`}
        series={e.byType.map((t) => ({
          name: t.type,
          values: t.byAge,
          color: CASE_TYPE_COLOR[t.type] ?? '#7b8794',
        }))}
      />
      <table className="table" aria-label="Open exceptions by type and age">
        <thead>
          <tr>
            <th>Type</th>
            {e.ageBuckets.map((b) => (
              <th key={b}>{b}</th>
            ))}
            <th>Open</th>
          </tr>
        </thead>
        <tbody>
          {e.byType.map((t) => (
            <tr key={t.type} data-exception-type={t.type}>
              <td>
                <span
                  className="swatch"
                  style={{ background: CASE_TYPE_COLOR[t.type] ?? '#7b8794' }}
                  aria-hidden="true"
                />{' '}
                {t.type.replace('_', ' ')}
              </td>
              {t.byAge.map((n, i) => (
                <td
                  key={e.ageBuckets[i]}
                  data-age={e.ageBuckets[i]}
                  className={n > 0 && i >= 2 ? 'bad' : undefined}
                >
                  {n}
                </td>
              ))}
              <td data-kpi="type-open">{t.open}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
