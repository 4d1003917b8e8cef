import { pino, type Logger } from 'pino';
import { prettyDestination } from './pretty.ts';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear (one level deep or two). */
const REDACT = [
  'password',
  'token',
  'secret',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  'recoveryCodes',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const destination =
    options.destination ?? (options.pretty ? prettyDestination() : pino.destination(1));
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
