import type { CrossdockConfig } from '../config/index.ts';
import { CrossdockError } from '../errors/index.ts';
import type { SweepFinding } from '../operations/index.ts';
import { apiClient, cliToken } from './operations.ts';
import { findServer } from './server.ts';
import { table, usageError, type Output } from './output.ts';

export interface ReconcileFlags {
  api?: string;
  since?: string;
  settle?: string;
}

interface SweepAnswer {
  runId: string;
  status: string;
  error: unknown;
  sweep: {
    since: string;
    until: string;
    new: number;
    known: number;
    findings: SweepFinding[];
  } | null;
}

/**
 * `crossdock reconcile [--since 7d|2026-01-05] [--settle 15m]`: a reconciliation sweep by the
 * running Crossdock (it holds the Odoo connection and the workers), through its API. Exit 0
 * when the sweep ended, whatever it found; 1 when it failed or is still running.
 */
export async function reconcileCommand(
  config: CrossdockConfig,
  flags: ReconcileFlags,
  out: Output,
): Promise<number> {
  const url = await findServer(config, flags.api);
  if (!url)
    throw new CrossdockError(
      'RECONCILE_NEEDS_SERVER',
      'crossdock reconcile asks the running Crossdock to sweep (it reads Odoo and acts with its workers): start it (crossdock start), or name it with --api URL',
      { category: 'user', retryable: false },
    );
  out.info(`using the API at ${url}`);
  if (flags.since !== undefined && flags.since.trim() === '')
    throw usageError('--since needs a value');
  const answer = await apiClient(url, cliToken(config))<SweepAnswer>('POST', '/api/v1/reconcile', {
    ...(flags.since ? { since: flags.since } : {}),
    ...(flags.settle ? { settle: flags.settle } : {}),
  });
  out.result(answer, () => describe(answer));
  return answer.status === 'completed' ? 0 : 1;
}

function describe(a: SweepAnswer): string {
  if (!a.sweep)
    return `sweep run ${a.runId} is ${a.status}${a.error ? `: ${JSON.stringify(a.error)}` : ''} (crossdock runs show ${a.runId})`;
  const rows = a.sweep.findings.map((f) => ({
    finding: f.type,
    'odoo record': `${f.model} ${f.id} ${f.name}`,
    status: f.status,
    action:
      f.action +
      (f.caseId ? ` #${f.caseId}` : '') +
      (f.runIds.length ? ` run ${f.runIds.join(',')}` : ''),
    detail: f.detail,
  }));
  return [
    `Reconciliation ${a.sweep.since} .. ${a.sweep.until} (run ${a.runId}): ${a.sweep.new} new finding(s), ${a.sweep.known} already known`,
    table(rows, ['finding', 'odoo record', 'status', 'action', 'detail']),
  ].join('\n');
}
