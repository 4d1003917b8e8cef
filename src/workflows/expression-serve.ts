import type { MessagePort } from 'node:worker_threads';
import { evaluateGuarded } from './expression-eval.ts';
import { breachedLimit, type ExpressionLimits } from './expression-limits.ts';

interface Job {
  id: number;
  source: string;
  context: unknown;
  limits: ExpressionLimits;
}

/**
 * The isolation worker's side (expression-worker.mjs starts it): evaluates one expression at
 * a time with the same code and limits as the main thread, and answers with its value, the
 * limit it breached, or its error. The main thread terminates the worker if it overruns.
 */
export function serveExpressions(port: MessagePort): void {
  port.on('message', async ({ id, source, context, limits }: Job) => {
    try {
      const value = await evaluateGuarded(source, context, limits);
      port.postMessage({ id, value });
    } catch (error) {
      const limit = breachedLimit(error);
      const { message, code } = (error ?? {}) as { message?: string; code?: string };
      port.postMessage(
        limit ? { id, limit } : { id, error: { message: message ?? String(error), code } },
      );
    }
  });
  port.postMessage({ ready: true });
}
