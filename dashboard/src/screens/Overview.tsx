import { useId, useState } from 'react';
import { BarList, Sparkline, StackedBars } from '../components/charts.tsx';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useGet } from '../hooks.ts';
import { Link } from '../router.tsx';

interface Kpis {
  from: string;
  to: string;
  bucket: string;
  events: { total: number; perSecond: number; series: number[] };
  runs: { byStatus: Record<string, number>; completed: number[]; failed: number[]; completedTotal: number; failedTotal: number; errorRate: number | null };
  approvals: { waiting: number; breached: number };
  exceptions: { open: number; byAge: { label: string; count: number }[] };
}

const RANGES = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' } as const;
type Range = keyof typeof RANGES;
const STATUS_TONE: Record<string, string> = { failed: 'bad', waiting: 'warn', running: 'info', completed: 'good', cancelled: 'neutral', queued: 'neutral', ready: 'info' };

export function OverviewScreen() {
  const [range, setRange] = useState<Range>('24h');
  const rangeId = useId();
  const kpis = useGet<Kpis>(`/kpis?last=${range}`);
  const k = kpis.data;
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <div className="inline-field">
          <label htmlFor={rangeId}>Time range</label>
          <select id={rangeId} value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {Object.entries(RANGES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <button type="button" className="secondary small" onClick={kpis.reload}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNote error={kpis.error} />
      {!k && kpis.loading && <Loading what="KPIs" />}
      {k && (
        <>
          <p className="muted">
            {formatTime(k.from)} – {formatTime(k.to)}, in buckets of {k.bucket}
          </p>
          <div className="cards">
            <article className="card" aria-label="Events per second">
              <h2>Events / s</h2>
              <p className="big" data-kpi="events-per-second">{k.events.perSecond >= 1 || k.events.perSecond === 0 ? k.events.perSecond.toFixed(1) : k.events.perSecond.toPrecision(2)}</p>
              <p className="muted">
                {k.events.total} events in range ({(k.events.perSecond * 60).toFixed(2)} / min)
              </p>
              <Sparkline values={k.events.series} label={`Events per ${k.bucket}: ${k.events.series.join(', ')}`} />
            </article>
            <article className="card" aria-label="Error rate">
              <h2>Error rate</h2>
              <p className={`big${(k.runs.errorRate ?? 0) > 0.05 ? ' bad' : ''}`} data-kpi="error-rate">{k.runs.errorRate === null ? '—' : `${(k.runs.errorRate * 100).toFixed(1)} %`}</p>
              <p className="muted">
                {k.runs.failedTotal} failed of {k.runs.failedTotal + k.runs.completedTotal} ended runs
              </p>
              <StackedBars
                label={`Ended runs per ${k.bucket}: completed and failed`}
                series={[
                  { name: 'completed', values: k.runs.completed, color: 'var(--good)' },
                  { name: 'failed', values: k.runs.failed, color: 'var(--bad)' },
                ]}
              />
            </article>
            <article className="card" aria-label="Approvals">
              <h2>Approvals</h2>
              <p className="big" data-kpi="approvals-waiting">{k.approvals.waiting}</p>
              <p className="muted">waiting</p>
              <p className={k.approvals.breached > 0 ? 'bad' : 'muted'} data-kpi="approvals-breached">
                {k.approvals.breached} past their SLA
              </p>
              <Link to="/approvals">Open the inbox</Link>
            </article>
            <article className="card" aria-label="Open exceptions">
              <h2>Exceptions open</h2>
              <p className="big" data-kpi="exceptions-open">{k.exceptions.open}</p>
              <BarList label="Open exceptions by age" items={k.exceptions.byAge.map((b, i) => ({ name: b.label, value: b.count, tone: i >= 2 ? 'bad' : i === 1 ? 'warn' : 'neutral' }))} />
              <Link to="/exceptions">Work the queue</Link>
            </article>
            <article className="card wide" aria-label="Runs by state">
              <h2>Runs by state</h2>
              <p className="muted small">active now; completed, failed and cancelled in the range</p>
              <BarList label="Runs by state" items={Object.entries(k.runs.byStatus).map(([name, value]) => ({ name, value, tone: STATUS_TONE[name] ?? 'neutral' }))} />
              <Link to="/runs">Explore runs</Link>
            </article>
          </div>
        </>
      )}
    </>
  );
}
