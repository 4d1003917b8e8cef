import { readFileSync } from 'node:fs';
import type { CrossdockConfig } from '../config/index.ts';
import {
  CASE_ACTIONS,
  REASON_CODES,
  type CaseDetail,
  type CaseView,
  type ReasonCode,
} from '../exceptions/index.ts';
import { cliActor, directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface ExceptionFlags {
  api?: string;
  status?: string;
  type?: string;
  workflow?: string;
  limit?: string;
  input?: string;
  from?: string;
  reason?: string;
}

const USAGE = `usage: crossdock exceptions list [--status S] [--type T] [--workflow W] [--limit N] | show <id> | retry <id>
       | replay <id> --input file.json [--from step] | resolve <id> <reason code> [--reason note]
       | act <id> <action> [name=value ...] [--reason note]   (an action the case offers, see its "actions";
         book_by_hand takes carrier=<code or name> tracking_ref=<reference>)
  reason codes: ${REASON_CODES.join(', ')}`;

/** An action's inputs as `name=value` arguments (the value may hold '='). */
function actionInputArgs(args: string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw usageError(`"${arg}" is not an action input: give name=value`);
    inputs[arg.slice(0, at)] = arg.slice(at + 1);
  }
  return inputs;
}

/** `crossdock exceptions ...`: the operator's queue from a terminal, on the store or through --api. */
export async function exceptionsCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: ExceptionFlags,
  out: Output,
): Promise<number> {
  const [sub, id, code] = rest;
  const via = (url: string) => out.info(`using the API at ${url}`);
  const who = { actor: cliActor() };
  const path = (suffix = '') => `/api/v1/exceptions/${encodeURIComponent(id ?? '')}${suffix}`;
  if (sub === 'list') {
    const filter = {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.type ? { type: flags.type } : {}),
      ...(flags.workflow ? { workflow: flags.workflow } : {}),
      limit: flags.limit ?? '50',
    };
    if (!/^\d+$/.test(filter.limit)) throw usageError('--limit must be a whole number');
    return directOrRemote(
      config,
      flags.api,
      async (c) =>
        printList(
          (
            await c.services.exceptions.list({
              ...(flags.status ? { status: flags.status as never } : {}),
              ...(flags.type ? { type: flags.type as never } : {}),
              ...(flags.workflow ? { workflowId: flags.workflow } : {}),
              limit: Number(filter.limit),
            })
          ).cases,
          out,
        ),
      async (call) =>
        printList(
          (
            await call<{ cases: CaseView[] }>(
              'GET',
              `/api/v1/exceptions?${new URLSearchParams(filter)}`,
            )
          ).cases,
          out,
        ),
      via,
    );
  }
  if (sub === 'show' && id) {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printOne(await c.services.exceptions.show(id), out),
      async (call) => printOne(await call('GET', path()), out),
      via,
    );
  }
  if (sub === 'retry' && id) {
    return directOrRemote(
      config,
      flags.api,
      async (c) => printCase(await c.services.exceptions.retry(id, who), out),
      async (call) => printCase(await call('POST', path('/retry'), {}), out),
      via,
    );
  }
  if (sub === 'replay' && id) {
    if (!flags.input)
      throw usageError(
        'replay needs the corrected input: --input file.json (retry replays with the same input)',
      );
    const input = readJson(flags.input);
    const correction = { input, ...(flags.from ? { fromStep: flags.from } : {}) };
    return directOrRemote(
      config,
      flags.api,
      async (c) => printCase(await c.services.exceptions.retry(id, who, correction), out),
      async (call) => printCase(await call('POST', path('/replay'), correction), out),
      via,
    );
  }
  if (sub === 'resolve' && id) {
    if (!code || !(REASON_CODES as string[]).includes(code))
      throw usageError(`resolve needs a reason code: ${REASON_CODES.join(', ')}`);
    const note = flags.reason ?? null;
    return directOrRemote(
      config,
      flags.api,
      async (c) =>
        printCase(await c.services.exceptions.resolve(id, code as ReasonCode, note, who), out),
      async (call) =>
        printCase(
          await call('POST', path('/resolve'), { reasonCode: code, ...(note ? { note } : {}) }),
          out,
        ),
      via,
    );
  }
  if (sub === 'act' && id) {
    if (!code)
      throw usageError(
        `act needs an action: one the case offers (${CASE_ACTIONS.join(', ')}), see \`crossdock exceptions show ${id}\``,
      );
    const note = flags.reason ?? null;
    const inputs = actionInputArgs(rest.slice(3));
    return directOrRemote(
      config,
      flags.api,
      async (c) => printCase(await c.services.exceptions.act(id, code, note, who, inputs), out),
      async (call) =>
        printCase(
          await call('POST', path(`/actions/${encodeURIComponent(code)}`), {
            inputs,
            ...(note ? { note } : {}),
          }),
          out,
        ),
      via,
    );
  }
  throw usageError(USAGE);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`--input: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`--input ${file} is not JSON: ${(error as Error).message}`);
  }
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

function printList(cases: CaseView[], out: Output): number {
  const rows = cases.map((c) => ({
    id: c.id,
    status: c.status,
    type: c.type,
    severity: c.severity,
    age: hours(c.ageMs),
    sla: c.slaBreached ? 'BREACHED' : '',
    owner: c.owner.team ?? c.owner.userId ?? '-',
    title: c.title,
    code: c.errorCode ?? '-',
  }));
  out.result({ cases }, () =>
    rows.length === 0
      ? 'no exception cases'
      : table(rows, ['id', 'status', 'type', 'severity', 'age', 'sla', 'owner', 'code', 'title']),
  );
  return 0;
}

function printCase(c: CaseView, out: Output): number {
  out.result(
    c,
    () => `case ${c.id}: ${c.status}${c.reasonCode ? ` (${c.reasonCode})` : ''} - ${c.title}`,
  );
  return 0;
}

function printOne(c: CaseDetail, out: Output): number {
  out.result(c, () =>
    [
      `case ${c.id}: ${c.status} ${c.type} ${c.severity}, ${c.title}`,
      `  run ${c.run?.id ?? '-'} (${c.run?.status ?? '-'}) step ${c.stepId ?? '-'}: ${c.errorCode ?? ''} ${c.errorMessage ?? ''}`.trimEnd(),
      `  actions: ${c.actions.length > 0 ? c.actions.join(', ') : '-'} (besides resolve, assign, comment while open)`,
      ...Object.entries(c.actionInputs ?? {}).map(
        ([action, inputs]) =>
          `  ${action} takes ${inputs
            .filter((i) => i.name !== 'note')
            .map((i) => `${i.name}=${i.required ? '...' : '[...]'}`)
            .join(' ')} (note: --reason)`,
      ),
      `  owner ${c.owner.team ?? '-'} / ${c.owner.userId ?? '-'}; opened ${c.openedAt}, due ${c.dueAt ?? '-'}${c.slaBreached ? ' (SLA breached)' : ''}`,
      ...(c.failedStep
        ? [
            `  failed step input: ${JSON.stringify(c.failedStep.input)} (${c.failedStep.attempts} attempt(s))`,
          ]
        : []),
      ...c.history.map(
        (e) =>
          `  ${e.at} ${e.action} ${e.actor}${Object.keys(e.details).length ? ` ${JSON.stringify(e.details)}` : ''}`,
      ),
    ].join('\n'),
  );
  return 0;
}
