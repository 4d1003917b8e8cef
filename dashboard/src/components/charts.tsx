/** Small inline SVG charts: no chart library. Each has a text label for screen readers. */

export function Sparkline({
  values,
  label,
  color = 'var(--accent)',
  height = 48,
}: {
  values: number[];
  label: string;
  color?: string;
  height?: number;
}) {
  const width = 240;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} className="axis" />
      {values.length > 0 && (
        <polyline
          points={points}
          fill="none"
          stroke={color}
          strokeWidth="2"
          vectorEffect="non-scaling-stroke"
        />
      )}
    </svg>
  );
}

/** Stacked bars per bucket: one series on top of another (completed and failed runs). */
export function StackedBars({
  series,
  label,
  height = 64,
}: {
  series: { values: number[]; color: string; name: string }[];
  label: string;
  height?: number;
}) {
  const width = 240;
  const n = series[0]?.values.length ?? 0;
  const totals = Array.from({ length: n }, (_, i) =>
    series.reduce((a, s) => a + (s.values[i] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const w = n > 0 ? width / n : width;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} className="axis" />
      {Array.from({ length: n }, (_, i) => {
        let y = height;
        return series.map((s) => {
          const h = ((s.values[i] ?? 0) / max) * (height - 2);
          y -= h;
          return h > 0 ? (
            <rect
              key={`${s.name}-${i}`}
              x={i * w + w * 0.1}
              y={y}
              width={Math.max(w * 0.8, 0.5)}
              height={h}
              fill={s.color}
            />
          ) : null;
        });
      })}
    </svg>
  );
}

/** Horizontal bars with their numbers (runs by state, exceptions by age). */
export function BarList({
  items,
  label,
}: {
  items: { name: string; value: number; tone?: string }[];
  label: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="barlist" aria-label={label}>
      {items.map((item) => (
        <li key={item.name}>
          <span className="barlist-name">{item.name}</span>
          <svg
            viewBox="0 0 100 10"
            preserveAspectRatio="none"
            aria-hidden="true"
            className="barlist-bar"
          >
            <rect
              x="0"
              y="0"
              width={(item.value / max) * 100}
              height="10"
              className={`tone-${item.tone ?? 'neutral'}`}
            />
          </svg>
          <span className="barlist-value">{item.value}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Lines over buckets where a bucket may have no value (null: a gap, not a zero), e.g. p50
 * and p90 latency; all series share one scale.
 */
export function Lines({
  series,
  label,
  height = 48,
}: {
  series: { name: string; values: (number | null)[]; color: string }[];
  label: string;
  height?: number;
}) {
  const width = 240;
  const n = series[0]?.values.length ?? 0;
  const max = Math.max(
    1,
    ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)),
  );
  const step = n > 1 ? width / (n - 1) : width;
  const y = (v: number) => (height - 2 - (v / max) * (height - 4)).toFixed(1);
  /** Runs of consecutive values; a lone value is drawn as a dot. */
  const runs = (values: (number | null)[]) => {
    const out: { i: number; v: number }[][] = [];
    let current: { i: number; v: number }[] = [];
    values.forEach((v, i) => {
      if (v === null) {
        if (current.length > 0) out.push(current);
        current = [];
      } else current.push({ i, v });
    });
    if (current.length > 0) out.push(current);
    return out;
  };
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} className="axis" />
      {series.map((s) =>
        runs(s.values).map((run) =>
          run.length === 1 ? (
            <circle
              key={`${s.name}-${run[0]!.i}`}
              cx={(run[0]!.i * step).toFixed(1)}
              cy={y(run[0]!.v)}
              r="2"
              fill={s.color}
            />
          ) : (
            <polyline
              key={`${s.name}-${run[0]!.i}`}
              points={run.map((p) => `${(p.i * step).toFixed(1)},${y(p.v)}`).join(' ')}
              fill="none"
              stroke={s.color}
              strokeWidth="2"
              vectorEffect="non-scaling-stroke"
            />
          ),
        ),
      )}
    </svg>
  );
}
