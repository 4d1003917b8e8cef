import { useId, useState } from 'react';
import { BarList, Lines, Sparkline, StackedBars } from '../components/charts.tsx';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { formatDuration, formatTime } from '../format.ts';
import { useGet } from '../hooks.ts';
import { Link } from '../router.tsx';

interface Kpis {
  from: string;
  to: string;
  /** Where the chosen range starts; `from` is later when the data starts later. */
  requestedFrom: string;
  bucket: string;
  firstEventAt: string | null;
  live: { events: { windowMs: number; measuredMs: number; count: number; perSecond: number }[] };
  integration: {
    calls: number;
    errors: number;
    errorRate: number | null;
    worst: { connector: string; calls: number; errors: number; errorRate: number | null } | null;
  };
  events: { total: number; perSecond: number; series: number[] };
  runs: {
    byStatus: Record<string, number>;
    completed: number[];
    failed: number[];
    completedTotal: number;
    failedTotal: number;
    errorRate: number | null;
  };
  latency: {
    workflowId: string;
    completed: number;
    p50Ms: number | null;
    p90Ms: number | null;
    series: { count: number[]; p50Ms: (number | null)[]; p90Ms: (number | null)[] };
  };
  approvals: {
    waiting: number;
    breached: number;
    byLevel: { level: string; waiting: number; breached: number; oldestWaitMs: number }[];
  };
  exceptions: {
    open: number;
    openedInRange: number;
    byAge: { label: string; count: number }[];
    ageBuckets: string[];
    byType: { type: string; open: number; byAge: number[] }[];
  };
  queue: {
    runsDue: number;
    oldestDueMs: number | null;
    runsQueued: number;
    notificationsPending: number;
    oldestNotificationMs: number | null;
  };
  connectors: {
    connector: string;
    calls: number;
    errors: number;
    errorRate: number | null;
    series: { calls: number[]; errors: number[] };
  }[];
}

const RANGES = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'From … to …',
} as const;
type Range = keyof typeof RANGES;
const STATUS_TONE: Record<string, string> = {
  failed: 'bad',
  waiting: 'warn',
  running: 'info',
  completed: 'good',
  cancelled: 'neutral',
  queued: 'neutral',
  ready: 'info',
};
const CASE_TYPE_COLOR: Record<string, string> = {
  dead_letter: 'var(--bad)',
  odoo_refusal: '#c58a00',
  raised: 'var(--info)',
  check: '#7b8794',
  event_conflict: '#a05cc8',
  event_order: '#5c7cc8',
};

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);
/** Two significant digits under 1, one decimal above: 0.011, 6.8, 12.0. */
const rate = (perSecond: number) =>
  perSecond >= 1 || perSecond === 0 ? perSecond.toFixed(1) : perSecond.toPrecision(2);
const windowName = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
/** "850 ms", "3 min 0 s"; "—" when there is nothing to measure. */
const duration = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${ms} ms` : formatDuration(ms);

export function OverviewScreen() {
  const [range, setRange] = useState<Range>('24h');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const ids = { range: useId(), from: useId(), to: useId() };
  // A custom range asks once both ends are given (the inputs are the browser's local time).
  // A preset range fits its charts to the data: a system two minutes old is not drawn over 24 h.
  const custom =
    range === 'custom'
      ? from && to
        ? `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`
        : null
      : `last=${range}&fit=true`;
  const kpis = useGet<Kpis>(custom === null ? null : `/kpis?${custom}`);
  const k = custom === null ? null : kpis.data;
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <div className="inline-field">
          <label htmlFor={ids.range}>Time range</label>
          <select id={ids.range} value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {Object.entries(RANGES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {range === 'custom' && (
            <>
              <label htmlFor={ids.from}>From</label>
              <input
                id={ids.from}
                type="datetime-local"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
              <label htmlFor={ids.to}>to</label>
              <input
                id={ids.to}
                type="datetime-local"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            </>
          )}
          <button type="button" className="secondary small" onClick={kpis.reload}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNote error={kpis.error} />
      {custom === null && <p className="muted">Choose where the range starts and ends.</p>}
      {!k && kpis.loading && <Loading what="KPIs" />}
      {k && (
        <>
          <p className="muted" data-kpi="range">
            {formatTime(k.from)} – {formatTime(k.to)}, in buckets of {k.bucket}
            {k.from !== k.requestedFrom &&
              ` (the first event came at ${formatTime(k.firstEventAt ?? k.from)}: nothing before it to chart)`}
          </p>
          <div className="cards">
            <EventsCard k={k} />
            <ErrorsCard k={k} />
            <article className="card" aria-label="Approvals">
              <h2>Approvals</h2>
              <p className="big" data-kpi="approvals-waiting">
                {k.approvals.waiting}
              </p>
              <p className="muted">waiting</p>
              <p
                className={k.approvals.breached > 0 ? 'bad' : 'muted'}
                data-kpi="approvals-breached"
              >
                {k.approvals.breached} past their SLA
              </p>
              <Link to="/approvals">Open the inbox</Link>
            </article>
            <article className="card" aria-label="Open exceptions">
              <h2>Exceptions open</h2>
              <p className="big" data-kpi="exceptions-open">
                {k.exceptions.open}
              </p>
              <BarList
                label="Open exceptions by age"
                items={k.exceptions.byAge.map((b, i) => ({
                  name: b.label,
                  value: b.count,
                  tone: i >= 2 ? 'bad' : i === 1 ? 'warn' : 'neutral',
                }))}
              />
              <Link to="/exceptions">Work the queue</Link>
            </article>
            <LatencyCard k={k} />
            <QueueCard queue={k.queue} />
            <ConnectorsCard k={k} />
            <ApprovalAgingCard approvals={k.approvals} />
            <ExceptionMatrixCard exceptions={k.exceptions} />
            <article className="card wide" aria-label="Runs by state">
              <h2>Runs by state</h2>
              <p className="muted small">
                active now; completed, failed and cancelled in the range
              </p>
              <BarList
                label="Runs by state"
                items={Object.entries(k.runs.byStatus).map(([name, value]) => ({
                  name,
                  value,
                  tone: STATUS_TONE[name] ?? 'neutral',
                }))}
              />
              <Link to="/runs">Explore runs</Link>
            </article>
          </div>
        </>
      )}
    </>
  );
}

/** Events per second now (the last minute and five) next to the range's count and average. */
function EventsCard({ k }: { k: Kpis }) {
  const [minute, five] = k.live.events;
  return (
    <article className="card" aria-label="Events per second">
      <h2>Events / s</h2>
      {minute && (
        <p>
          <span className="big" data-kpi="events-live">
            {rate(minute.perSecond)}
          </span>{' '}
          <span className="muted">now (last {windowName(minute.measuredMs)})</span>
        </p>
      )}
      {five && (
        <p className="muted">
          <span data-kpi="events-live-5m">{rate(five.perSecond)}</span> / s over the last{' '}
          {windowName(five.measuredMs)}
        </p>
      )}
      <p className="muted">
        <span data-kpi="events-total">{k.events.total}</span> events in range,{' '}
        <span data-kpi="events-per-second">{rate(k.events.perSecond)}</span> / s on average
      </p>
      <Sparkline
        values={k.events.series}
        label={`Events per ${k.bucket}: ${k.events.series.join(', ')}`}
      />
    </article>
  );
}

/** What "errors" means to a reader, each counted on its own: failed runs, failed integration calls (worst connector named), new cases. */
function ErrorsCard({ k }: { k: Kpis }) {
  const i = k.integration;
  const ended = k.runs.failedTotal + k.runs.completedTotal;
  return (
    <article className="card" aria-label="Errors">
      <h2>Errors in range</h2>
      <dl className="kv">
        <div>
          <dt>Failed runs</dt>
          <dd>
            <span
              className={(k.runs.errorRate ?? 0) > 0.05 ? 'bad' : undefined}
              data-kpi="error-rate"
            >
              {percent(k.runs.errorRate)}
            </span>{' '}
            <span className="muted">
              {k.runs.failedTotal} of {ended} ended
            </span>
          </dd>
        </div>
        <div>
          <dt>Failed integration calls</dt>
          <dd>
            <span
              className={(i.errorRate ?? 0) > 0.05 ? 'bad' : undefined}
              data-kpi="call-error-rate"
            >
              {percent(i.errorRate)}
            </span>{' '}
            <span className="muted">
              {i.errors} of {i.calls} calls
            </span>
          </dd>
        </div>
        <div>
          <dt>Worst connector</dt>
          <dd data-kpi="worst-connector">
            {i.worst ? (
              <>
                <code>{i.worst.connector}</code>{' '}
                <span className="bad">{percent(i.worst.errorRate)}</span>{' '}
                <span className="muted">
                  {i.worst.errors} of {i.worst.calls} calls failed
                </span>
              </>
            ) : (
              <span className="muted">no failed call</span>
            )}
          </dd>
        </div>
        <div>
          <dt>New cases</dt>
          <dd>
            <span data-kpi="cases-opened">{k.exceptions.openedInRange}</span>{' '}
            <span className="muted">opened; {k.exceptions.open} open now</span>
          </dd>
        </div>
      </dl>
      <StackedBars
        label={`Ended runs per ${k.bucket}: completed and failed`}
        series={[
          { name: 'completed', values: k.runs.completed, color: 'var(--good)' },
          { name: 'failed', values: k.runs.failed, color: 'var(--bad)' },
        ]}
      />
    </article>
  );
}

/** p50 and p90 from run creation to completion, over the range and per bucket. */
function LatencyCard({ k }: { k: Kpis }) {
  const l = k.latency;
  const title =
    l.workflowId === 'order-release' ? 'Order release latency' : `${l.workflowId} latency`;
  const listed = (values: (number | null)[]) => values.map(duration).join(', ');
  return (
    <article className="card" aria-label={title}>
      <h2>{title}</h2>
      <p>
        <span className="big" data-kpi="release-p50">
          {duration(l.p50Ms)}
        </span>{' '}
        <span className="muted">p50</span>
      </p>
      <p>
        <span className="big" data-kpi="release-p90">
          {duration(l.p90Ms)}
        </span>{' '}
        <span className="muted">p90</span>
      </p>
      <p className="muted" data-kpi="release-completed">
        {l.completed} runs of {l.workflowId} completed in range (created to completed)
      </p>
      <Lines
        label={`${title} per ${k.bucket}, p50: ${listed(l.series.p50Ms)}; p90: ${listed(l.series.p90Ms)}`}
        series={[
          { name: 'p90', values: l.series.p90Ms, color: 'var(--warn)' },
          { name: 'p50', values: l.series.p50Ms, color: 'var(--accent)' },
        ]}
      />
    </article>
  );
}

/** Work nobody has picked up yet, as of now. */
function QueueCard({ queue: q }: { queue: Kpis['queue'] }) {
  return (
    <article className="card" aria-label="Queue depth">
      <h2>Queue depth</h2>
      <p className="big" data-kpi="queue-depth">
        {q.runsDue}
      </p>
      <p className="muted">
        runs due and not claimed now
        {q.oldestDueMs !== null && (
          <>
            ; oldest waiting <span data-kpi="queue-oldest">{duration(q.oldestDueMs)}</span>
          </>
        )}
      </p>
      <BarList
        label="Queue depth now"
        items={[
          { name: 'runs due', value: q.runsDue, tone: q.runsDue > 0 ? 'warn' : 'neutral' },
          { name: 'runs queued', value: q.runsQueued, tone: 'neutral' },
          { name: 'notifications', value: q.notificationsPending, tone: 'info' },
        ]}
      />
      <p className="muted small">
        <span data-kpi="queue-queued">{q.runsQueued}</span> runs queued behind concurrency limits;{' '}
        <span data-kpi="queue-notifications">{q.notificationsPending}</span> notifications pending
        {q.oldestNotificationMs !== null && ` (oldest ${duration(q.oldestNotificationMs)})`}
      </p>
    </article>
  );
}

/** Calls and failed calls per connector (odoo:<connection>, carrier:<code>) in the range. */
function ConnectorsCard({ k }: { k: Kpis }) {
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
function ApprovalAgingCard({ approvals: a }: { approvals: Kpis['approvals'] }) {
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
function ExceptionMatrixCard({ exceptions: e }: { exceptions: Kpis['exceptions'] }) {
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
