import type { PriorityList } from '../ai/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import { directOrRemote } from './operations.ts';
import { table, usageError, type Output } from './output.ts';

export interface AiRiskFlags {
  api?: string;
  limit?: string;
}

export const AI_RISK_USAGE = `       | ai risk [--limit N]                              open deliveries by risk of missing their promised date (the newest scoring pass)`;

/**
 * `crossdock ai risk`: the delay-risk priority list, as GET /api/v1/ai/delay-risk answers it:
 * through a running instance's API when one answers, else from the store directly.
 */
export async function aiRiskCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: AiRiskFlags,
  out: Output,
): Promise<number> {
  if (rest.length !== 1) throw usageError(`usage: crossdock ai risk [--limit N] [--json]`);
  const limit = flags.limit ?? '50';
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500)
    throw usageError('--limit must be a whole number from 1 to 500');
  return directOrRemote(
    config,
    flags.api,
    async (c) => printRisk(await c.services.ai.delayRisk(Number(limit)), out),
    async (call) =>
      printRisk(await call<PriorityList>('GET', `/api/v1/ai/delay-risk?limit=${limit}`), out),
    (url) => out.info(`using the API at ${url}`),
  );
}

const percent = (v: number | null) => (v === null ? 'abstains' : `${Math.round(v * 100)}%`);

function printRisk(list: PriorityList, out: Output): number {
  out.result(list, () => {
    if (list.scoredAt === null)
      return "no delay-risk pass has run yet (the operations pack's delay-risk workflow scores hourly)";
    const rows = list.deliveries.map((d) => ({
      order: d.order ?? '-',
      delivery: d.picking,
      promised: d.promisedDate,
      risk: percent(d.risk),
      flagged: d.flagged ? 'yes' : '',
      why: d.risk === null ? d.reason : d.reasons.join(', ') || '-',
    }));
    return [
      `scored ${list.scoredAt} by run ${list.runId}, flagged at ${percent(list.threshold)} or more`,
      rows.length === 0
        ? 'no open delivery with a promised date'
        : table(rows, ['order', 'delivery', 'promised', 'risk', 'flagged', 'why']),
    ].join('\n');
  });
  return 0;
}
