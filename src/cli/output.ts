import { CrossdockError, toCrossdockError } from '../errors/index.ts';

/** Exit codes: 0 done, 1 the command ran and the answer is "no" (invalid, failed), 2 usage, 3 store unavailable, 4 internal. */
export const ExitCode = { ok: 0, failed: 1, usage: 2, unavailable: 3, internal: 4 } as const;

export interface Output {
  json: boolean;
  /** Prints a result: JSON when --json, else the human text. */
  result(value: unknown, human: () => string): void;
  info(line: string): void;
  error(error: unknown): number;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    info(line) {
      if (!json) process.stderr.write(`${line}\n`);
    },
    error(thrown) {
      const error = toCrossdockError(thrown);
      if (json) {
        process.stdout.write(
          `${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }, null, 2)}\n`,
        );
      } else {
        process.stderr.write(`error ${error.code}: ${error.message}\n`);
        for (const d of error.details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
        if (error.category === 'bug' && !(thrown instanceof CrossdockError))
          process.stderr.write(`${(thrown as Error)?.stack ?? ''}\n`);
      }
      if (error.code === 'USAGE') return ExitCode.usage;
      if (error.code.startsWith('STORE_')) return ExitCode.unavailable;
      return error.category === 'bug' ? ExitCode.internal : ExitCode.failed;
    },
  };
}

export function usageError(message: string): CrossdockError {
  return new CrossdockError('USAGE', message, { category: 'user', retryable: false });
}

/** Any rows of plain objects (interfaces included), shown by the named columns. */
export function table(rows: readonly object[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const at = (r: object, c: string) => (r as Record<string, unknown>)[c];
  const cell = (v: unknown) =>
    v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(at(r, c)).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(at(r, c)))))].join('\n');
}
