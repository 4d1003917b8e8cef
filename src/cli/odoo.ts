import { existsSync } from 'node:fs';
import type { CrossdockConfig } from '../config/index.ts';
import { checkExitCode, type CapabilityCheck } from '../connectors/odoo/check.ts';
import { createCrossdock, offlineConnectorSteps, type Crossdock } from '../main.ts';
import { silentLogger } from '../observability/index.ts';
import { odooBackfill, type BackfillFlags } from './odoo-backfill.ts';
import { cliActor } from './operations.ts';
import { table, usageError, type Output } from './output.ts';
import { loadFolder } from './policies.ts';

export interface OdooFlags extends BackfillFlags {
  'rotate-token'?: boolean;
  'overlap-s'?: string;
}

/** How long, by default, a rotated-away webhook token is still accepted: hints Odoo sends from transactions begun before its rules changed. */
const DEFAULT_OVERLAP_S = 60;

/** `crossdock odoo check | setup-rules [--rotate-token [--overlap-s N]] | poll | backfill`: talk to the Odoo databases in CROSSDOCK_ODOO_CONFIG. */
export async function odooCommand(
  config: CrossdockConfig,
  rest: string[],
  out: Output,
  flags: OdooFlags = {},
): Promise<number> {
  const sub = rest[0];
  if (!config.odooConfigPath)
    throw usageError('set CROSSDOCK_ODOO_CONFIG to the Odoo configuration file (see docs/ODOO.md)');
  if (sub !== 'check' && sub !== 'setup-rules' && sub !== 'poll' && sub !== 'backfill')
    throw usageError(
      'usage: crossdock odoo check|setup-rules [--rotate-token [--overlap-s N]]|poll|backfill',
    );
  if ((flags['rotate-token'] || flags['overlap-s'] !== undefined) && sub !== 'setup-rules')
    throw usageError('--rotate-token and --overlap-s go with "odoo setup-rules"');
  if (flags['overlap-s'] !== undefined && !flags['rotate-token'])
    throw usageError('--overlap-s goes with --rotate-token');
  const overlapS = overlapSeconds(flags['overlap-s']);
  const crossdock = await createCrossdock(config, { logger: silentLogger() });
  try {
    const odoo = crossdock.odoo!;
    if (sub === 'check') return await checkCommand(crossdock, config, out);
    if (sub === 'setup-rules' && flags['rotate-token']) {
      const { rotations, rules } = await odoo.rotateTokens({ overlapMs: overlapS * 1_000 });
      await crossdock.services.audit.append({
        actor: cliActor(),
        action: 'odoo.rotate-token',
        target: null,
        details: { sources: rotations.map((r) => r.source), overlapSeconds: overlapS },
      });
      out.result({ rotations, rules }, () =>
        [
          ...rotations.map(
            (r) =>
              `source ${r.source}: new webhook token in force; the old one is accepted until ${r.previousUntil}`,
          ),
          table(rules, ['event', 'model', 'state', 'ruleId', 'url']),
        ].join('\n'),
      );
      return 0;
    }
    if (sub === 'setup-rules') {
      const rules = await odoo.setupRules();
      out.result({ rules }, () => table(rules, ['event', 'model', 'state', 'ruleId', 'url']));
      return 0;
    }
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    if (sub === 'backfill') return await odooBackfill(crossdock, flags, out);
    const polled = await odoo.ingestion.pollAll();
    out.result({ polled }, () =>
      polled
        .map(
          (p) =>
            `${p.source} ${p.event}: ${p.result.emitted} new, ${p.result.duplicates} already known; cursor ${JSON.stringify(p.result.cursor)}`,
        )
        .join('\n'),
    );
    return 0;
  } finally {
    await crossdock.close();
  }
}

/**
 * `odoo check`: per connection, one line per capability (connection, user, each right the
 * watches and the workflows' Odoo steps need, the automation rules), then what Crossdock
 * itself cannot do (no mail transport). Exit 0 ready, 1 reachable but something is missing or
 * refused, 3 a connection is unreachable or its login refused (OdooCheckExit).
 */
async function checkCommand(
  crossdock: Crossdock,
  config: CrossdockConfig,
  out: Output,
): Promise<number> {
  // The workflow files are read, not deployed: nothing is stored by a check.
  const loaded = existsSync(config.workflowsDir)
    ? loadFolder(config.workflowsDir, offlineConnectorSteps(config)).result
    : null;
  const connections = await crossdock.odoo!.check(loaded?.ok ? loaded.workflows : []);
  const local = crossdockChecks(crossdock);
  if (loaded && !loaded.ok)
    local.unshift({
      capability: `workflows in ${config.workflowsDir}`,
      state: 'failed',
      detail: `${loaded.problems.length} problem(s), their Odoo rights were not checked: crossdock validate ${config.workflowsDir}`,
    });
  const exit = checkExitCode([...connections.flatMap((c) => c.capabilities), ...local]);
  const line = (c: CapabilityCheck) =>
    `  ${c.capability}: ${c.state === 'ok' ? 'ok' : c.state.toUpperCase()}${c.detail ? `  ${c.detail}` : ''}${c.code && !c.detail.includes(c.code) ? ` (${c.code})` : ''}`;
  const verdict =
    exit === 0
      ? 'ok'
      : exit === 1
        ? 'NOT READY (exit 1): run crossdock odoo setup-rules, or grant the rights marked above'
        : 'UNREACHABLE (exit 3): Odoo did not answer, or refused the login';
  out.result({ connections, crossdock: local, exitCode: exit }, () =>
    [
      ...connections.flatMap((c) => [
        `${c.connection}:${c.version ? ` Odoo ${c.version}` : ''}`,
        ...c.capabilities.map(line),
      ]),
      `crossdock:`,
      ...local.map(line),
      verdict,
    ].join('\n'),
  );
  return exit;
}

/** What this Crossdock itself lacks for the packs, whatever Odoo allows. */
function crossdockChecks(crossdock: Crossdock): CapabilityCheck[] {
  const email = crossdock.notifications.channels.includes('email');
  return [
    {
      capability: 'e-mail',
      state: email ? 'ok' : 'warning',
      detail: email
        ? `approvers and customers are e-mailed through ${crossdock.config.notify.smtp?.host}`
        : 'no mail transport (CROSSDOCK_SMTP_HOST is not set): approvers and customers are not e-mailed; each approval records that nobody was notified',
    },
  ];
}

function overlapSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OVERLAP_S;
  if (!/^\d{1,4}$/.test(value) || Number(value) > 3_600)
    throw usageError(`--overlap-s must be whole seconds from 0 to 3600, not "${value}"`);
  return Number(value);
}
