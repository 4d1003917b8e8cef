import { pino, type Logger } from 'pino';
import { prettyDestination } from './pretty.ts';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear (one level deep or two). */
const SENSITIVE = new Set([
  'password',
  'token',
  'secret',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  'recoveryCodes',
]);
const CENSOR = '[redacted]';

/**
 * `value` with the value of every sensitive key censored: at the top, or inside one or two
 * levels of objects and arrays below it. Only the objects on the way to a censored value are
 * copied; a line with none is logged as given, with nothing allocated for it.
 */
export function redactKeys<T>(value: T, depth = 2): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const was = object[key];
    const now = SENSITIVE.has(key) ? CENSOR : depth > 0 ? redactKeys(was, depth - 1) : was;
    if (now === was) continue;
    copy ??= copyOf(object);
    copy[key] = now;
  }
  return (copy ?? value) as T;
}

/** A shallow copy; an error's copy is still an error with its message and stack. */
function copyOf(object: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(object)) return [...object] as unknown as Record<string, unknown>;
  if (!(object instanceof Error)) return { ...object };
  const error = Object.create(Object.getPrototypeOf(object) as object) as Record<string, unknown>;
  return Object.assign(error, { message: object.message, stack: object.stack }, object);
}

export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const destination =
    options.destination ?? (options.pretty ? prettyDestination() : pino.destination(1));
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // Not pino's `redact`: its paths with wildcards copied every line's object (about
      // 25 KB of garbage per line, bench/RESULTS.md); this copies only what it censors.
      formatters: { log: redactKeys },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
  // A child's bindings skip the formatters: they are censored as the child is made. Children
  // inherit from this logger, so theirs are too.
  const child = logger.child; // pino's own, called on whichever logger the child is made from
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactKeys(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
