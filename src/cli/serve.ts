import { readFileSync } from 'node:fs';
import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock, startInstance, type Crossdock, type InstanceOptions } from '../main.ts';
import { CrossdockError, toCrossdockError } from '../errors/index.ts';
import { limitHeapGrowth } from './heap.ts';
import type { Output } from './output.ts';

export interface ServeOptions extends Omit<InstanceOptions, 'port'> {
  /** A JSON-lines file of events to send once started (the sample stream). */
  feed?: string;
}

/**
 * `crossdock start` (API + workers) and `crossdock worker` (workers only). Resolves when
 * stopped by a signal. `start` with no worker loops serves the API only, beside `crossdock
 * worker` processes: that needs PostgreSQL, since the embedded store opens in one process.
 */
export async function serve(
  config: CrossdockConfig,
  options: ServeOptions,
  out: Output,
): Promise<number> {
  if (options.workers === 0 && config.store.kind !== 'postgres')
    return out.error(
      new CrossdockError('CONFIG_INVALID', 'The configuration is not valid', {
        details: [
          {
            path: 'CROSSDOCK_WORKERS',
            message:
              '0 worker loops serves the API only, beside `crossdock worker` processes, which need PostgreSQL (DATABASE_URL); the embedded store opens in one process, so nothing would run its workflows',
          },
        ],
      }),
    );
  limitHeapGrowth(config.workers.heapGrowthPercent);
  const crossdock = await createCrossdock(config, { migrate: true });
  try {
    const workflows = await crossdock.engine.loadWorkflows(config.workflowsDir);
    crossdock.logger.info(
      { workflows: workflows.map((w) => `${w.definition.id}@${w.hash}`), dir: config.workflowsDir },
      'workflows loaded',
    );
    reportRuns(crossdock);
    const running = await startInstance(crossdock, config, options, out);
    if (options.feed) await feed(crossdock, options.feed);
    await untilSignal(crossdock.logger);
    await running.stop();
    return 0;
  } catch (error) {
    await crossdock.close().catch(() => undefined);
    return out.error(error);
  }
}

/** Resolves at the first SIGINT or SIGTERM. */
export function untilSignal(logger: Crossdock['logger']): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'stopping: finishing in-flight steps');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Sends each line of a JSON-lines file as an event; keys make a second start send nothing new. */
async function feed(crossdock: Crossdock, file: string): Promise<void> {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//'));
  let accepted = 0;
  let duplicates = 0;
  for (const [index, line] of lines.entries()) {
    try {
      const result = await crossdock.engine.accept(JSON.parse(line), 'cli');
      if (result.conflict)
        crossdock.logger.warn(
          { file, line: index + 1, eventId: result.eventId },
          'sample event reuses a stored key with another payload: recorded as a key conflict',
        );
      result.duplicate || result.conflict ? duplicates++ : accepted++;
    } catch (error) {
      const e = toCrossdockError(error);
      crossdock.logger.warn(
        { file, line: index + 1, code: e.code, details: e.details },
        `sample event refused: ${e.message}`,
      );
    }
  }
  crossdock.logger.info(
    { file, accepted, duplicates },
    'sample events sent (duplicates were recognised and started nothing)',
  );
}

/**
 * One log line per run outcome, so `npm start` shows what it is doing. A run's output stays in
 * the store (`crossdock runs show`): it may carry customers' data, which redaction by key name
 * does not catch, and it has no size bound.
 */
function reportRuns({ engine, logger }: Crossdock): void {
  engine.events.on('run:completed', (e) =>
    logger.info({ runId: e.runId, workflow: e.workflowId }, 'run completed'),
  );
  engine.events.on('run:failed', (e) =>
    logger.warn(
      { runId: e.runId, workflow: e.workflowId, step: e.stepId, error: e.error.code },
      'run failed: dead letter opened',
    ),
  );
  engine.events.on('run:waiting', (e) =>
    logger.info(
      { runId: e.runId, workflow: e.workflowId, step: e.stepId, until: e.until },
      `run ${e.runId} waiting at ${e.stepId}; see: crossdock runs show ${e.runId}`,
    ),
  );
  engine.events.on(
    'step:failed',
    (e) =>
      e.willRetry &&
      logger.info(
        { runId: e.runId, step: e.stepId, attempt: e.attempt, error: e.error.code },
        'step failed; will retry',
      ),
  );
}
