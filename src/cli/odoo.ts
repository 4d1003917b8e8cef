import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock } from '../main.ts';
import { silentLogger } from '../observability/index.ts';
import { cliActor } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface OdooFlags {
  'rotate-token'?: boolean;
  'overlap-s'?: string;
}

/** How long, by default, a rotated-away webhook token is still accepted: hints Odoo sends from transactions begun before its rules changed. */
const DEFAULT_OVERLAP_S = 60;

/** `crossdock odoo check | setup-rules [--rotate-token [--overlap-s N]] | poll`: talk to the Odoo databases in CROSSDOCK_ODOO_CONFIG. */
export async function odooCommand(config: CrossdockConfig, rest: string[], out: Output, flags: OdooFlags = {}): Promise<number> {
  const sub = rest[0];
  if (!config.odooConfigPath) throw usageError('set CROSSDOCK_ODOO_CONFIG to the Odoo configuration file (see docs/ODOO.md)');
  if (sub !== 'check' && sub !== 'setup-rules' && sub !== 'poll') throw usageError('usage: crossdock odoo check|setup-rules [--rotate-token [--overlap-s N]]|poll');
  if ((flags['rotate-token'] || flags['overlap-s'] !== undefined) && sub !== 'setup-rules') throw usageError('--rotate-token and --overlap-s go with "odoo setup-rules"');
  if (flags['overlap-s'] !== undefined && !flags['rotate-token']) throw usageError('--overlap-s goes with --rotate-token');
  const overlapS = overlapSeconds(flags['overlap-s']);
  const crossdock = await createCrossdock(config, { logger: silentLogger() });
  try {
    const odoo = crossdock.odoo!;
    if (sub === 'check') {
      const checks = await odoo.check();
      out.result({ connections: checks }, () =>
        checks
          .map((c) =>
            c.error
              ? `${c.connection}: UNREACHABLE ${c.error.code}: ${c.error.message}`
              : [
                  `${c.connection}: Odoo ${c.version}, user ${c.user}`,
                  `  rights: ${c.rights.map((r) => `${r.model} ${r.read ? 'read ok' : 'NO READ'}`).join(', ') || '(no watched models)'}`,
                  ...c.rules.map((r) => `  rule "${r.ruleName}": ${r.state}${r.ruleId ? ` (id ${r.ruleId})` : ''} -> ${r.url}`),
                  `  ${c.ok ? 'ok' : 'NOT READY: run crossdock odoo setup-rules, or grant the rights'}`,
                ].join('\n'),
          )
          .join('\n'),
      );
      return checks.every((c) => c.ok) ? 0 : 1;
    }
    if (sub === 'setup-rules' && flags['rotate-token']) {
      const { rotations, rules } = await odoo.rotateTokens({ overlapMs: overlapS * 1_000 });
      await crossdock.services.audit.append({ actor: cliActor(), action: 'odoo.rotate-token', target: null, details: { sources: rotations.map((r) => r.source), overlapSeconds: overlapS } });
      out.result({ rotations, rules }, () =>
        [
          ...rotations.map((r) => `source ${r.source}: new webhook token in force; the old one is accepted until ${r.previousUntil}`),
          table(rules as never[], ['event', 'model', 'state', 'ruleId', 'url']),
        ].join('\n'),
      );
      return 0;
    }
    if (sub === 'setup-rules') {
      const rules = await odoo.setupRules();
      out.result({ rules }, () => table(rules as never[], ['event', 'model', 'state', 'ruleId', 'url']));
      return 0;
    }
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    const polled = await odoo.ingestion.pollAll();
    out.result({ polled }, () => polled.map((p) => `${p.source} ${p.event}: ${p.result.emitted} new, ${p.result.duplicates} already known; cursor ${JSON.stringify(p.result.cursor)}`).join('\n'));
    return 0;
  } finally {
    await crossdock.close();
  }
}

function overlapSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_OVERLAP_S;
  if (!/^\d{1,4}$/.test(value) || Number(value) > 3_600) throw usageError(`--overlap-s must be whole seconds from 0 to 3600, not "${value}"`);
  return Number(value);
}
