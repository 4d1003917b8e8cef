import type { CrossdockConfig } from '../config/index.ts';
import type { ReplayPreview } from '../engine/index.ts';
import type { Flags } from './flags.ts';
import { parseJson, readJsonFile } from './json-input.ts';
import {
  cliToken,
  directOperations,
  openInstance,
  openRunReads,
  remoteOperations,
  type Operations,
  type RunReads,
} from './operations.ts';
import { findServer } from './server.ts';
import { table, usageError, type Output } from './output.ts';

/** `crossdock runs ...` and `crossdock events send`: on the store directly, or through a running instance's API. */
export function runsOrEventsCommand(
  command: 'runs' | 'events',
  config: CrossdockConfig,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const [sub] = rest;
  if (command === 'runs' && (sub === 'list' || sub === 'show'))
    return withRunReads(config, flags, out, (reads) => runReadCommand(reads, rest, flags, out));
  return withOperations(config, flags, out, command === 'events', (ops) =>
    command === 'runs' ? runsCommand(ops, rest, flags, out) : eventsCommand(ops, rest, flags, out),
  );
}

/** Reads through a running instance's API when one answers, else on the store alone. */
async function withRunReads(
  config: CrossdockConfig,
  flags: Flags,
  out: Output,
  work: (reads: RunReads) => Promise<number>,
): Promise<number> {
  const url = await findServer(config, flags.api);
  if (url && !flags.api) out.info(`using the running Crossdock at ${url}`);
  const reads = url ? remoteOperations(url, cliToken(config)) : await openRunReads(config);
  try {
    return await work(reads);
  } finally {
    await reads.close();
  }
}

/** Through a running instance's API when one answers (see findServer), else on the store directly. */
async function withOperations(
  config: CrossdockConfig,
  flags: Flags,
  out: Output,
  routesEvents: boolean,
  work: (ops: Operations) => Promise<number>,
): Promise<number> {
  let ops: Operations;
  const url = await findServer(config, flags.api);
  if (url) {
    if (!flags.api) out.info(`using the running Crossdock at ${url}`);
    ops = remoteOperations(url, cliToken(config));
  } else {
    const crossdock = await openInstance(config);
    try {
      if (routesEvents) await crossdock.engine.loadWorkflows(config.workflowsDir); // events are routed by the current workflows
    } catch (error) {
      await crossdock.close();
      throw error;
    }
    ops = directOperations(crossdock);
  }
  try {
    return await work(ops);
  } finally {
    await ops.close();
  }
}

/** `crossdock runs list` and `runs show`. */
async function runReadCommand(
  reads: RunReads,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const [sub, id] = rest;
  if (sub === 'show') {
    if (!id) throw usageError('usage: crossdock runs show <id>');
    const run = await reads.showRun(id);
    out.result(run, () => showRun(run));
    return 0;
  }
  const runs = await reads.listRuns({
    status: flags.status,
    workflow: flags.workflow,
    limit: flags.limit ? Number(flags.limit) : undefined,
  });
  out.result({ runs }, () =>
    table(runs, ['id', 'workflowId', 'status', 'cursor', 'eventId', 'createdAt', 'endedAt']),
  );
  return 0;
}

async function runsCommand(
  ops: Operations,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const [sub, id, name] = rest;
  const needId = () => {
    if (!id) throw usageError(`usage: crossdock runs ${sub} <id>`);
    return id;
  };
  switch (sub) {
    case 'replay': {
      const again = flags.again
        ? flags.again
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
      const from = flags.from ? { fromStep: flags.from } : {};
      if (flags['dry-run'] === true) {
        const preview = await ops.previewReplay(needId(), { ...from, again });
        out.result(preview, () => showReplayPreview(preview));
        return 0;
      }
      const run = await ops.replay(needId(), {
        ...(flags.input ? { input: readJsonFile(flags.input, '--input') } : {}),
        ...from,
        again,
      });
      out.result(
        run,
        () =>
          `run ${run.id} replaying from ${run.cursor} (${run.status})${again.length > 0 ? `; acting again: ${again.join(', ')}` : ''}`,
      );
      return 0;
    }
    case 'cancel': {
      const run = await ops.cancel(needId(), flags.reason);
      out.result(run, () => `run ${run.id} ${run.status}`);
      return 0;
    }
    case 'signal': {
      if (!name) throw usageError('usage: crossdock runs signal <id> <name> [--payload json]');
      await ops.signal(
        needId(),
        name,
        flags.payload ? parseJson(flags.payload, '--payload') : null,
      );
      out.result({ delivered: true }, () => `signal ${name} delivered to run ${id}`);
      return 0;
    }
    default:
      throw usageError('usage: crossdock runs list|show|replay|cancel|signal');
  }
}

async function eventsCommand(
  ops: Operations,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  if (rest[0] !== 'send')
    throw usageError(
      'usage: crossdock events send --source S --type T [--key K] (--payload json | --file f)',
    );
  if (!flags.source || !flags.type) throw usageError('events send needs --source and --type');
  const payload = flags.file
    ? readJsonFile(flags.file, '--file')
    : flags.payload
      ? parseJson(flags.payload, '--payload')
      : {};
  const accepted = await ops.sendEvent({
    source: flags.source,
    type: flags.type,
    ...(flags.key ? { key: flags.key } : {}),
    payload,
  });
  out.result(accepted, () =>
    accepted.conflict
      ? `event ${accepted.eventId} has this key with another payload: recorded as key conflict ${accepted.conflictId ?? ''} (nothing started; see GET /api/v1/events/conflicts)`
      : `event ${accepted.eventId} ${accepted.duplicate ? 'was already accepted (duplicate; nothing started)' : `accepted; runs started: ${accepted.runIds.join(', ') || 'none'}`}`,
  );
  return 0;
}

function showRun(run: Awaited<ReturnType<Operations['showRun']>>): string {
  const head = `run ${run.id}  ${run.workflowId}@${run.workflowVersion}  ${run.status}${run.cursor ? ` at ${run.cursor}` : ''}`;
  const steps = table(
    run.steps.map((s) => ({ ...s, error: (s.error as { code?: string } | null)?.code ?? null })),
    ['seq', 'attempt', 'stepId', 'type', 'status', 'error', 'endedAt'],
  );
  const error = run.error ? `\nerror: ${JSON.stringify(run.error)}` : '';
  return `${head}\ninput: ${JSON.stringify(run.input)}\n${steps}\noutput: ${JSON.stringify(run.output)}${error}`;
}

/** The dry run of a replay: one line per side-effect step it would re-run. */
function showReplayPreview(preview: ReplayPreview): string {
  const head = `replay of run ${preview.runId} (${preview.workflowId}) from ${preview.fromStep}${preview.again.length > 0 ? `, acting again: ${preview.again.join(', ')}` : ''}`;
  if (preview.effects.length === 0) return `${head}\n  no side-effect step runs again`;
  const width = Math.max(...preview.effects.map((e) => e.stepId.length));
  return [
    head,
    ...preview.effects.map(
      (e) => `  ${e.stepId.padEnd(width)}  ${e.type}  ${e.message}  (key ${e.key})`,
    ),
  ].join('\n');
}
