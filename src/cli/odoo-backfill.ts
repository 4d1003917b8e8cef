import type { Crossdock } from '../main.ts';
import { table, usageError, type Output } from './output.ts';

export interface BackfillFlags {
  since?: string | undefined;
  until?: string | undefined;
  source?: string | undefined;
  event?: string | undefined;
}

/**
 * `crossdock odoo backfill --since T [--until T] [--source S] [--event E]`: emits the watched
 * records last written in [since, until), which a poller leaves alone because they existed
 * before it started. Same keys as the pollers, so running it again emits nothing new.
 */
export async function odooBackfill(
  crossdock: Crossdock,
  flags: BackfillFlags,
  out: Output,
): Promise<number> {
  if (!flags.since)
    throw usageError(
      'usage: crossdock odoo backfill --since <datetime> [--until <datetime>] [--source S] [--event E]',
    );
  const since = odooInstant(flags.since, '--since');
  const until = flags.until ? odooInstant(flags.until, '--until') : null;
  const results = await crossdock.odoo!.ingestion.backfill({
    since,
    until,
    source: flags.source ?? null,
    event: flags.event ?? null,
  });
  const window = `${since} <= write_date${until ? ` < ${until}` : ''} (UTC)`;
  out.result(
    { since, until, results },
    () => `${window}\n${table(results, ['source', 'event', 'emitted', 'duplicates'])}`,
  );
  return 0;
}

const INSTANT =
  /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A command-line date and time as Odoo's naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]". Without
 * an offset it is taken as UTC (Odoo stores UTC); with one it is converted.
 */
export function odooInstant(text: string, flag: string): string {
  const match = INSTANT.exec(text.trim());
  const bad = () =>
    usageError(
      `${flag}: "${text}" is not a date and time; give YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] in UTC, or ISO 8601 with an offset (2026-12-01T09:00:00+01:00)`,
    );
  if (!match) throw bad();
  const [, day, minutes = '00:00', seconds = '00', fraction, offset] = match;
  const iso = `${day}T${minutes}:${seconds}${fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : ''}${offset && offset !== 'Z' ? offset : 'Z'}`;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime()) || (!offset && at.toISOString().slice(0, 10) !== day)) throw bad();
  if (offset && offset !== 'Z') return at.toISOString().slice(0, 23).replace('T', ' ') + '000';
  return `${day} ${minutes}:${seconds}${fraction ? `.${fraction}` : ''}`;
}
