import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import { offlineConnectorSteps } from '../main.ts';
import { WorkflowSchema, type StepType } from '../workflows/index.ts';
import {
  CompiledWorkflow,
  routeEvent,
  simulateWorkflow,
  systemClock,
  validateEvent,
} from '../engine/index.ts';
import type { Flags } from './flags.ts';
import { readJsonFile } from './json-input.ts';
import { usageError, type Output } from './output.ts';
import { loadFolder } from './policies.ts';

/** `crossdock validate [dir]`: every workflow and policy file of the folder, checked without a database. */
export function validateCommand(config: CrossdockConfig, dir: string, out: Output): number {
  return validateFolder(dir, out, offlineConnectorSteps(config));
}

/** `crossdock schema`: the JSON Schema of workflow files, for editors. */
export function schemaCommand(out: Output): number {
  const schema = z.toJSONSchema(WorkflowSchema, { io: 'input', unrepresentable: 'any' });
  out.result(schema, () => JSON.stringify(schema, null, 2));
  return 0;
}

function validateFolder(dir: string, out: Output, connectorSteps: StepType<any>[] = []): number {
  const { result, policies } = loadFolder(dir, connectorSteps);
  if (result.ok) {
    out.result(
      {
        ok: true,
        workflows: result.workflows.map((w) => ({
          id: w.definition.id,
          version: w.hash,
          file: w.file,
        })),
        policies: policies.map((p) => ({ id: p.id, version: p.version, file: p.file })),
      },
      () =>
        [
          ...result.workflows.map((w) => `ok  ${w.file}  ${w.definition.id}@${w.hash}`),
          ...policies.map((p) => `ok  ${p.file}  policy ${p.id}@${p.version}`),
        ].join('\n') || `no workflow files in ${dir}`,
    );
    return 0;
  }
  out.result({ ok: false, problems: result.problems }, () =>
    result.problems
      .map(
        (p) =>
          `${p.file}${p.line === null ? '' : `:${p.line}`}  ${p.path || '(file)'}  ${p.message}`,
      )
      .join('\n'),
  );
  return 1;
}

export /**
 * A dry run needs no database: it reads the workflow files and walks one of them. The first
 * argument is a workflow id (in --workflows) or a folder such as packs/dispatch, whose
 * workflow triggered by the event is walked. Reads (Odoo, carrier rates) run against the
 * configured connections; every write is described instead.
 */
async function simulateCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const target = rest[0];
  if (!target || !flags.event)
    throw usageError('usage: crossdock simulate <workflow id | pack folder> --event file.json');
  const folder = existsSync(target) && statSync(target).isDirectory() ? target : null;
  const dir = folder ?? config.workflowsDir;
  const connectors = offlineConnectorSteps(config);
  const { result: loaded, steps } = loadFolder(dir, connectors);
  if (!loaded.ok) return validateFolder(dir, out, connectors);
  const event = validateEvent(
    readJsonFile(flags.event, '--event'),
    config.maxEventBytes,
    systemClock.now(),
  );
  const compiled = loaded.workflows.map((w) => ({
    loaded: w,
    workflow: new CompiledWorkflow(w.definition, w.hash, w.file),
  }));
  const triggered = folder ? compiled.filter((c) => c.loaded.definition.trigger !== undefined) : [];
  let found = folder ? undefined : loaded.workflows.find((w) => w.definition.id === target);
  if (folder) {
    for (const c of triggered)
      if (!found && (await routeEvent([c.workflow], event)).length > 0) found = c.loaded;
    if (!found)
      throw new CrossdockError(
        'WORKFLOW_UNKNOWN',
        `No workflow in ${folder} is triggered by a ${event.type} event from ${event.source}; it has ${loaded.workflows.map((w) => w.definition.id).join(', ')}`,
        { category: 'user' },
      );
  }
  if (!found)
    throw new CrossdockError(
      'WORKFLOW_UNKNOWN',
      `No workflow "${target}" in ${config.workflowsDir}`,
      { category: 'user' },
    );
  const workflow = new CompiledWorkflow(found.definition, found.hash, found.file);
  const matches = (await routeEvent([workflow], event)).length > 0;
  const result = await simulateWorkflow(workflow, steps, event, matches, {
    apiUrl: `http://${config.http.host}:${config.http.port}`,
  });
  out.result(result, () =>
    [
      `dry run of ${result.workflowId}@${result.version}${result.matchesTrigger ? '' : '  (note: this event does not match its trigger)'}`,
      ...result.steps.map(
        (s, i) =>
          `${String(i + 1).padStart(3)}. ${s.stepId} [${s.type}] ${s.action}: ${s.description}${s.action === 'executed' ? ` -> ${JSON.stringify(s.output)}` : ''}`,
      ),
      `outcome: ${result.outcome}; nothing was stored and no external call was made`,
    ].join('\n'),
  );
  return result.outcome === 'completed' ? 0 : 1;
}
