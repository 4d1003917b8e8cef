import { useId, useState } from 'react';
import { BarList } from '../components/charts.tsx';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { formatTime } from '../format.ts';
import { useCan, useGet } from '../hooks.ts';
import { Link } from '../router.tsx';
import { AiOverrideCard } from './overview/AiCard.tsx';
import { InvoiceReleaseCard, NoTouchCard, SupplierCard } from './overview/BusinessCards.tsx';
import { ApprovalAgingCard, ConnectorsCard, ExceptionMatrixCard } from './overview/DetailCards.tsx';
import type { Kpis } from './overview/kpis.ts';
import { StockCard } from './overview/StockCard.tsx';
import { ErrorsCard, EventsCard, LatencyCard, QueueCard } from './overview/SummaryCards.tsx';

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
  const readsCases = useCan()('exceptions:read');
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
            <InvoiceReleaseCard invoices={k.invoiceRelease} />
            <NoTouchCard noTouch={k.noTouch} />
            <StockCard stock={k.stock} />
            <SupplierCard k={k} />
            {readsCases && <AiOverrideCard from={k.requestedFrom} to={k.to} />}
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
