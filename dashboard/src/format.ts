/** Formatting shared by the screens. */

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** "3 h 12 min", "45 s", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function countdown(dueIso: string | null, now: number): { text: string; overdue: boolean } {
  if (!dueIso) return { text: 'no deadline', overdue: false };
  const left = new Date(dueIso).getTime() - now;
  return left >= 0
    ? { text: `${formatDuration(left)} left`, overdue: false }
    : { text: `overdue by ${formatDuration(left)}`, overdue: true };
}

export function elapsed(startIso: string, endIso: string | null | undefined): string {
  if (!endIso) return '—';
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  return ms < 1000 ? `${ms} ms` : formatDuration(ms);
}

export function pretty(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

export function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e.message === 'string')
      return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
  }
  return error === null || error === undefined ? '' : JSON.stringify(error);
}
