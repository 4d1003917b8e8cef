import type { CrossdockConfig } from '../config/index.ts';
import { createCrossdock } from '../main.ts';
import { silentLogger } from '../observability/index.ts';
import { odooBackfill, type BackfillFlags } from './odoo-backfill.ts';
import { table, usageError, type Output } from './output.ts';

/** `crossdock odoo check | setup-rules | poll | backfill`: talk to the Odoo databases in CROSSDOCK_ODOO_CONFIG. */
export async function odooCommand(config: CrossdockConfig, rest: string[], out: Output, flags: BackfillFlags = {}): Promise<number> {
  const sub = rest[0];
  if (!config.odooConfigPath) throw usageError('set CROSSDOCK_ODOO_CONFIG to the Odoo configuration file (see docs/ODOO.md)');
  if (sub !== 'check' && sub !== 'setup-rules' && sub !== 'poll' && sub !== 'backfill') throw usageError('usage: crossdock odoo check|setup-rules|poll|backfill');
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
                  ...(c.recommendation ? [`  recommended: ${c.recommendation}`] : []),
                  `  rights: ${c.rights.map((r) => `${r.model} ${r.read ? 'read ok' : 'NO READ'}`).join(', ') || '(no watched models)'}`,
                  ...c.rules.map((r) => `  rule "${r.ruleName}": ${r.state}${r.ruleId ? ` (id ${r.ruleId})` : ''} -> ${r.url}`),
                  `  ${c.ok ? 'ok' : 'NOT READY: run crossdock odoo setup-rules, or grant the rights'}`,
                ].join('\n'),
          )
          .join('\n'),
      );
      return checks.every((c) => c.ok) ? 0 : 1;
    }
    if (sub === 'setup-rules') {
      const rules = await odoo.setupRules();
      out.result({ rules }, () => table(rules as never[], ['event', 'model', 'state', 'ruleId', 'url']));
      return 0;
    }
    await crossdock.engine.loadWorkflows(config.workflowsDir);
    if (sub === 'backfill') return await odooBackfill(crossdock, flags, out);
    const polled = await odoo.ingestion.pollAll();
    out.result({ polled }, () => polled.map((p) => `${p.source} ${p.event}: ${p.result.emitted} new, ${p.result.duplicates} already known; cursor ${JSON.stringify(p.result.cursor)}`).join('\n'));
    return 0;
  } finally {
    await crossdock.close();
  }
}
