import type { Writable } from 'node:stream';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * A destination that turns pino's JSON lines into one readable line each, for a person
 * at a terminal: "08:15:02 INFO  run completed  runId=12 workflow=order-intake".
 * Redaction has already happened in pino, before this sees the line.
 */
export function prettyDestination(out: Writable = process.stdout): {
  write(line: string): boolean;
} {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return out.write(line);
      }
      const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
      const fields = Object.entries(entry)
        .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined && v !== null)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      return out.write(
        `${time} ${LEVELS[Number(entry.level)] ?? entry.level} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}\n`,
      );
    },
  };
}
