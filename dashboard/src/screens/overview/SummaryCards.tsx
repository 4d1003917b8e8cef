/** The Overview's headline cards: live event rate, errors, latency and queue depth. */
import { BarList, Lines, Sparkline, StackedBars } from '../../components/charts.tsx';
import { duration, percent, rate, windowName, type Kpis } from './kpis.ts';

/** Events per second now (the last minute and five) next to the range's count and average. */
export function EventsCard({ k }: { k: Kpis }) {
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
export function ErrorsCard({ k }: { k: Kpis }) {
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

/** A p50 and a p90 in large type; `data-kpi` is `<kpi>-p50` and `<kpi>-p90`. */
export function Percentiles({ kpi, p50, p90 }: { kpi: string; p50: string; p90: string }) {
  return (
    <>
      {(
        [
          ['p50', p50],
          ['p90', p90],
        ] as const
      ).map(([name, value]) => (
        <p key={name}>
          <span className="big" data-kpi={`${kpi}-${name}`}>
            {value}
          </span>{' '}
          <span className="muted">{name}</span>
        </p>
      ))}
    </>
  );
}

/** p50 and p90 from run creation to completion, over the range and per bucket. */
export function LatencyCard({ k }: { k: Kpis }) {
  const l = k.latency;
  const title =
    l.workflowId === 'order-release' ? 'Order release latency' : `${l.workflowId} latency`;
  const listed = (values: (number | null)[]) => values.map(duration).join(', ');
  return (
    <article className="card" aria-label={title}>
      <h2>{title}</h2>
      <Percentiles kpi="release" p50={duration(l.p50Ms)} p90={duration(l.p90Ms)} />
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
export function QueueCard({ queue: q }: { queue: Kpis['queue'] }) {
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
