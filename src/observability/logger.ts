import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear (one level deep or two). */
const REDACT = ['password', 'token', 'secret', 'apiKey', 'api_key', 'authorization', 'Authorization', 'cookie'].flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
]);

export function createLogger(options: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (options.destination ?? pino.destination(1)) as pino.DestinationStream,
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
