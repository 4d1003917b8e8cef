import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { loadConfig, type CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { createCrossdock, offlineConnectorSteps } from '../main.ts';
import { silentLogger } from '../observability/index.ts';
import { restrictNewFiles } from '../store/index.ts';
import { WorkflowSchema, type StepType } from '../workflows/index.ts';
import { CompiledWorkflow, routeEvent, simulateWorkflow, systemClock, validateEvent, type ReplayPreview } from '../engine/index.ts';
import { cliToken, directOperations, remoteOperations, type Operations } from './operations.ts';
import { createOutput, table, usageError, type Output } from './output.ts';
import { serve } from './serve.ts';
import { demoCommand } from './demo.ts';
import { odooCommand } from './odoo.ts';
import { simCommand } from './sim.ts';
import { usersCommand } from './users.ts';
import { approvalsCommand, approversCommand } from './approvals.ts';
import { exceptionsCommand } from './exceptions.ts';
import { tokensCommand } from './tokens.ts';
import { auditCommand } from './audit.ts';
import { secretsCommand } from './secrets.ts';
import { loadFolder, policiesCommand } from './policies.ts';

const HELP = `crossdock <command> [options]

  demo [--orders N] [--rate R]  the whole system on the Odoo and carrier simulators (npm start); with --orders, a bounded run and its report
  start [--feed events.jsonl]   API and workers (the main process)
  worker [--workers N]          workers only, to scale out on PostgreSQL
  migrate                       apply database migrations
  validate [dir]                check workflow and policy files (file, line, path of each problem)
  schema                        JSON Schema of workflow files, for editors
  simulate <workflow | pack folder> --event file.json   dry run: the steps it would take, executing no side effect
  runs list [--status S] [--workflow W] [--limit N]
  runs show <id> | replay <id> [--input file.json] [--from step] [--again step,...] [--dry-run] | cancel <id> [--reason text]
                                replay keeps every effect's idempotency key (a repeat is ignored) unless --again names the step;
                                --dry-run lists the side-effect steps it would re-run and whether each acts again
  runs signal <id> <name> [--payload json]
  events send --source S --type T [--key K] (--payload json | --file payload.json)
  odoo check | setup-rules | poll   the Odoo databases in CROSSDOCK_ODOO_CONFIG: connectivity, rights, rules
                                check: one line per capability (with --workflows, the rights its Odoo steps need);
                                exit 0 ready, 1 reachable but something missing or refused, 3 unreachable or login refused
  odoo backfill --since T [--until T] [--source S] [--event E]   emit watched records last written in [since, until) (UTC); again: nothing new
  odoo setup-rules --rotate-token [--overlap-s N]   a new webhook token, written into Odoo's rules; the old one accepted N s more (60)
  sim carriers [--port P] [--carriers-file F] [--write-config F] [--tracking-to URL]   the carrier simulator on its own; prints the carriers file for it
  sim odoo [--port P] [--write-config F]   the Odoo 17 simulator with the demo's data; prints the Odoo configuration for it

  users add <email> --role R [--name N] [--password-stdin] | list | disable <id>
  tokens create --name N [--user U] [--scopes a,b] [--event-sources s] [--expires-days D] | list | revoke <id>
  audit verify | export [--out file.jsonl]    check the hash chain; JSON lines for auditors
  secrets set <name> (value on stdin) | list | rotate-key
  policies list | show <id> | test [<id>] --cases cases.yaml   the decision tables of the workflow folder
  approvals list [--status S] | show <id> | approve <id> [--reason R] | reject <id> --reason R   (direct: --as <email>)
  approvals approve <id> <id> ... --bulk [--reason R]   identical low-risk requests together (same bulk group in list)
  approvers set <email> [--groups a,b] [--manager <email>] [--odoo-user <id>]
  exceptions list [--status S] [--type T] [--workflow W] | show <id> | retry <id> | replay <id> --input file.json [--from step] | resolve <id> <reason code> [--reason note]

Common options: --workflows dir, --data-dir dir, --state-dir dir, --port N, --json, --api URL (talk to a running instance)
Configuration comes from the environment (DATABASE_URL, CROSSDOCK_DATA_DIR, ...); see docs/OPERATIONS.md.`;

const OPTIONS = {
  json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  workflows: { type: 'string' }, 'data-dir': { type: 'string' }, 'state-dir': { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' },
  feed: { type: 'string' }, event: { type: 'string' }, api: { type: 'string' },
  status: { type: 'string' }, workflow: { type: 'string' }, limit: { type: 'string' },
  input: { type: 'string' }, from: { type: 'string' }, reason: { type: 'string' }, again: { type: 'string' }, 'dry-run': { type: 'boolean' },
  source: { type: 'string' }, type: { type: 'string' }, key: { type: 'string' }, payload: { type: 'string' }, file: { type: 'string' },
  role: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' }, user: { type: 'string' }, scopes: { type: 'string' },
  'event-sources': { type: 'string' }, 'expires-days': { type: 'string' }, out: { type: 'string' }, description: { type: 'string' },
  cases: { type: 'string' },
  orders: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' }, 'worker-processes': { type: 'string' }, 'kill-every': { type: 'string' },
  'carriers-file': { type: 'string' }, 'write-config': { type: 'string' }, 'tracking-to': { type: 'string' }, 'rotate-token': { type: 'boolean' }, 'overlap-s': { type: 'string' },
  as: { type: 'string' }, bulk: { type: 'boolean' }, groups: { type: 'string' }, manager: { type: 'string' }, 'odoo-user': { type: 'string' },
  since: { type: 'string' }, until: { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export async function main(argv: string[]): Promise<number> {
  restrictNewFiles(); // everything the command line makes (data, state, the demo's files) is its user's only
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as { values: Flags; positionals: string[] };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const out = createOutput(flags.json === true);
  const [command, ...rest] = positionals;
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !flags.help ? 2 : 0;
  }
  try {
    const config = loadConfig(process.env, {
      ...(flags.workflows ? { CROSSDOCK_WORKFLOWS_DIR: flags.workflows } : {}),
      ...(flags['data-dir'] ? { CROSSDOCK_DATA_DIR: flags['data-dir'] } : {}),
      ...(flags['state-dir'] ? { CROSSDOCK_STATE_DIR: flags['state-dir'] } : {}),
      // `sim --port` is the simulator's port; Crossdock's own stays CROSSDOCK_PORT (the webhook address).
      ...(flags.port && command !== 'sim' ? { CROSSDOCK_PORT: flags.port } : {}),
      ...(flags.workers ? { CROSSDOCK_WORKERS: flags.workers } : {}),
    });
    switch (command) {
      case 'demo':
        return await demoCommand(config, flags, out);
      case 'start':
        return await serve(config, { api: true, workers: Math.max(1, config.workers.count), feed: flags.feed }, out);
      case 'worker':
        return await serve(config, { api: false, workers: Math.max(1, config.workers.count) }, out);
      case 'migrate':
        return await migrateCommand(config, out);
      case 'validate':
        return validateCommand(rest[0] ?? config.workflowsDir, out, offlineConnectorSteps(config));
      case 'schema':
        out.result(z.toJSONSchema(WorkflowSchema, { io: 'input', unrepresentable: 'any' }), () => JSON.stringify(z.toJSONSchema(WorkflowSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
        return 0;
      case 'simulate':
        return await simulateCommand(config, rest, flags, out);
      case 'odoo':
        return await odooCommand(config, rest, out, flags);
      case 'sim':
        return await simCommand(config, rest, flags, out);
      case 'users':
        return await usersCommand(config, rest, flags, out);
      case 'tokens':
        return await tokensCommand(config, rest, flags, out);
      case 'approvals':
        return await approvalsCommand(config, rest, flags, out);
      case 'exceptions':
        return await exceptionsCommand(config, rest, flags, out);
      case 'approvers':
        return await approversCommand(config, rest, flags, out);
      case 'audit':
        return await auditCommand(config, rest, flags, out);
      case 'secrets':
        return await secretsCommand(config, rest, flags, out);
      case 'policies':
        return await policiesCommand(config, rest, flags, out);
      case 'runs':
      case 'events':
        return await withOperations(config, flags, out, command === 'events', (ops) => (command === 'runs' ? runsCommand(ops, rest, flags, out) : eventsCommand(ops, rest, flags, out)));
      default:
        throw usageError(`unknown command "${command}"; run crossdock --help`);
    }
  } catch (error) {
    return out.error(error);
  }
}

async function migrateCommand(config: CrossdockConfig, out: Output): Promise<number> {
  const crossdock = await createCrossdock(config, { logger: silentLogger(), migrate: false });
  try {
    const applied = await crossdock.store.migrate();
    out.result({ applied }, () => (applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`));
    return 0;
  } finally {
    await crossdock.close();
  }
}

function validateCommand(dir: string, out: Output, connectorSteps: StepType<any>[] = []): number {
  const { result, policies } = loadFolder(dir, connectorSteps);
  if (result.ok) {
    out.result({ ok: true, workflows: result.workflows.map((w) => ({ id: w.definition.id, version: w.hash, file: w.file })), policies: policies.map((p) => ({ id: p.id, version: p.version, file: p.file })) }, () =>
      [...result.workflows.map((w) => `ok  ${w.file}  ${w.definition.id}@${w.hash}`), ...policies.map((p) => `ok  ${p.file}  policy ${p.id}@${p.version}`)].join('\n') || `no workflow files in ${dir}`,
    );
    return 0;
  }
  out.result({ ok: false, problems: result.problems }, () => result.problems.map((p) => `${p.file}${p.line === null ? '' : `:${p.line}`}  ${p.path || '(file)'}  ${p.message}`).join('\n'));
  return 1;
}

/**
 * A dry run needs no database: it reads the workflow files and walks one of them. The first
 * argument is a workflow id (in --workflows) or a folder such as packs/dispatch, whose
 * workflow triggered by the event is walked. Reads (Odoo, carrier rates) run against the
 * configured connections; every write is described instead.
 */
async function simulateCommand(config: CrossdockConfig, rest: string[], flags: Flags, out: Output): Promise<number> {
  const target = rest[0];
  if (!target || !flags.event) throw usageError('usage: crossdock simulate <workflow id | pack folder> --event file.json');
  const folder = existsSync(target) && statSync(target).isDirectory() ? target : null;
  const dir = folder ?? config.workflowsDir;
  const connectors = offlineConnectorSteps(config);
  const { result: loaded, steps } = loadFolder(dir, connectors);
  if (!loaded.ok) return validateCommand(dir, out, connectors);
  const event = validateEvent(readJsonFile(flags.event, '--event'), config.maxEventBytes, systemClock.now());
  const compiled = loaded.workflows.map((w) => ({ loaded: w, workflow: new CompiledWorkflow(w.definition, w.hash, w.file) }));
  const triggered = folder ? compiled.filter((c) => c.loaded.definition.trigger !== undefined) : [];
  let found = folder ? undefined : loaded.workflows.find((w) => w.definition.id === target);
  if (folder) {
    for (const c of triggered) if (!found && (await routeEvent([c.workflow], event)).length > 0) found = c.loaded;
    if (!found) throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow in ${folder} is triggered by a ${event.type} event from ${event.source}; it has ${loaded.workflows.map((w) => w.definition.id).join(', ')}`, { category: 'user' });
  }
  if (!found) throw new CrossdockError('WORKFLOW_UNKNOWN', `No workflow "${target}" in ${config.workflowsDir}`, { category: 'user' });
  const workflow = new CompiledWorkflow(found.definition, found.hash, found.file);
  const matches = (await routeEvent([workflow], event)).length > 0;
  const result = await simulateWorkflow(workflow, steps, event, matches, { apiUrl: `http://${config.http.host}:${config.http.port}` });
  out.result(result, () =>
    [
      `dry run of ${result.workflowId}@${result.version}${result.matchesTrigger ? '' : '  (note: this event does not match its trigger)'}`,
      ...result.steps.map((s, i) => `${String(i + 1).padStart(3)}. ${s.stepId} [${s.type}] ${s.action}: ${s.description}${s.action === 'executed' ? ` -> ${JSON.stringify(s.output)}` : ''}`),
      `outcome: ${result.outcome}; nothing was stored and no external call was made`,
    ].join('\n'),
  );
  return result.outcome === 'completed' ? 0 : 1;
}

/** Opens the store directly, or, if a running instance holds it (PGlite) or --api is given, uses its API. */
async function withOperations(config: CrossdockConfig, flags: Flags, out: Output, routesEvents: boolean, work: (ops: Operations) => Promise<number>): Promise<number> {
  let ops: Operations;
  if (flags.api) ops = remoteOperations(flags.api, cliToken(config));
  else {
    try {
      const crossdock = await createCrossdock(config, { logger: silentLogger() });
      try {
        if (routesEvents) await crossdock.engine.loadWorkflows(config.workflowsDir); // events are routed by the current workflows
      } catch (error) {
        await crossdock.close();
        throw error;
      }
      ops = directOperations(crossdock);
    } catch (error) {
      if (!(error instanceof CrossdockError && error.code === 'STORE_LOCKED')) throw error;
      const url = `http://${config.http.host}:${config.http.port}`;
      out.info(`the data directory is held by a running Crossdock; using its API at ${url}`);
      ops = remoteOperations(url, cliToken(config));
    }
  }
  try {
    return await work(ops);
  } finally {
    await ops.close();
  }
}

async function runsCommand(ops: Operations, rest: string[], flags: Flags, out: Output): Promise<number> {
  const [sub, id, name] = rest;
  const needId = () => {
    if (!id) throw usageError(`usage: crossdock runs ${sub} <id>`);
    return id;
  };
  switch (sub) {
    case 'list': {
      const runs = await ops.listRuns({ status: flags.status, workflow: flags.workflow, limit: flags.limit ? Number(flags.limit) : undefined });
      out.result({ runs }, () => table(runs, ['id', 'workflowId', 'status', 'cursor', 'eventId', 'createdAt', 'endedAt']));
      return 0;
    }
    case 'show': {
      const run = await ops.showRun(needId());
      out.result(run, () => showRun(run));
      return 0;
    }
    case 'replay': {
      const again = flags.again ? flags.again.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const from = flags.from ? { fromStep: flags.from } : {};
      if (flags['dry-run'] === true) {
        const preview = await ops.previewReplay(needId(), { ...from, again });
        out.result(preview, () => showReplayPreview(preview));
        return 0;
      }
      const run = await ops.replay(needId(), { ...(flags.input ? { input: readJsonFile(flags.input, '--input') } : {}), ...from, again });
      out.result(run, () => `run ${run.id} replaying from ${run.cursor} (${run.status})${again.length > 0 ? `; acting again: ${again.join(', ')}` : ''}`);
      return 0;
    }
    case 'cancel': {
      const run = await ops.cancel(needId(), flags.reason);
      out.result(run, () => `run ${run.id} ${run.status}`);
      return 0;
    }
    case 'signal': {
      if (!name) throw usageError('usage: crossdock runs signal <id> <name> [--payload json]');
      await ops.signal(needId(), name, flags.payload ? parseJson(flags.payload, '--payload') : null);
      out.result({ delivered: true }, () => `signal ${name} delivered to run ${id}`);
      return 0;
    }
    default:
      throw usageError('usage: crossdock runs list|show|replay|cancel|signal');
  }
}

async function eventsCommand(ops: Operations, rest: string[], flags: Flags, out: Output): Promise<number> {
  if (rest[0] !== 'send') throw usageError('usage: crossdock events send --source S --type T [--key K] (--payload json | --file f)');
  if (!flags.source || !flags.type) throw usageError('events send needs --source and --type');
  const payload = flags.file ? readJsonFile(flags.file, '--file') : flags.payload ? parseJson(flags.payload, '--payload') : {};
  const accepted = await ops.sendEvent({ source: flags.source, type: flags.type, ...(flags.key ? { key: flags.key } : {}), payload });
  out.result(accepted, () =>
    accepted.conflict
      ? `event ${accepted.eventId} has this key with another payload: recorded as key conflict ${accepted.conflictId ?? ''} (nothing started; see GET /api/v1/events/conflicts)`
      : `event ${accepted.eventId} ${accepted.duplicate ? 'was already accepted (duplicate; nothing started)' : `accepted; runs started: ${accepted.runIds.join(', ') || 'none'}`}`,
  );
  return 0;
}

function showRun(run: Awaited<ReturnType<Operations['showRun']>>): string {
  const head = `run ${run.id}  ${run.workflowId}@${run.workflowVersion}  ${run.status}${run.cursor ? ` at ${run.cursor}` : ''}`;
  const steps = table(run.steps.map((s) => ({ ...s, error: (s.error as { code?: string } | null)?.code ?? null })), ['seq', 'attempt', 'stepId', 'type', 'status', 'error', 'endedAt']);
  const error = run.error ? `\nerror: ${JSON.stringify(run.error)}` : '';
  return `${head}\ninput: ${JSON.stringify(run.input)}\n${steps}\noutput: ${JSON.stringify(run.output)}${error}`;
}

function readJsonFile(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseJson(text, `${flag} ${path}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The dry run of a replay: one line per side-effect step it would re-run. */
function showReplayPreview(preview: ReplayPreview): string {
  const head = `replay of run ${preview.runId} (${preview.workflowId}) from ${preview.fromStep}${preview.again.length > 0 ? `, acting again: ${preview.again.join(', ')}` : ''}`;
  if (preview.effects.length === 0) return `${head}\n  no side-effect step runs again`;
  const width = Math.max(...preview.effects.map((e) => e.stepId.length));
  return [head, ...preview.effects.map((e) => `  ${e.stepId.padEnd(width)}  ${e.type}  ${e.message}  (key ${e.key})`)].join('\n');
}
