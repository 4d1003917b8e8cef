import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../../observability/index.ts';
import type { Store } from '../../../store/index.ts';
import type { LoadedWorkflow, StepType } from '../../../workflows/index.ts';
import type { OdooClient } from '../client.ts';
import { OdooSourceSchema, type OdooSource, type OdooWatch } from './config.ts';
import { backfill, type BackfillRequest, type BackfillResult } from './backfill.ts';
import { ingestWorkflow } from './ingest-workflow.ts';
import { hintTimingOf } from './hint-timing.ts';
import { HookTokens, type TokenSecrets } from './hook-tokens.ts';
import { OdooPoller, type PollResult } from './poller.ts';
import { rereadStep } from './reread-step.ts';
import { odooWebhookPath, odooWebhookRoutes } from './webhook-routes.ts';

export { OdooSourceSchema, OdooWatchSchema, type OdooSource, type OdooWatch } from './config.ts';
export { HINT_EVENT_TYPE, parseHint, hintEvent, recordEventKey } from './hint.ts';
export { odooWebhookPath } from './webhook-routes.ts';
export { setupRules, checkRules, type RuleStatus } from './setup-rules.ts';
export { HookTokens, TOKEN_CACHE_MS, type Rotation, type TokenSecrets } from './hook-tokens.ts';
export type { PollResult } from './poller.ts';
export type { BackfillRequest, BackfillResult } from './backfill.ts';
export { hintTimingOf, type HintTiming } from './hint-timing.ts';

export interface OdooIngestionDeps {
  store: Store;
  clients: (connection: string) => OdooClient;
  accept: (event: {
    source: string;
    type: string;
    key: string;
    payload: Record<string, unknown>;
  }) => Promise<{ eventId: string; duplicate: boolean }>;
  now: () => Date;
  logger: Logger;
  /** Where rotated webhook tokens are kept (the secret store); null: only the configured tokens. */
  secrets?: () => TokenSecrets | null;
}

export interface OdooIngestion {
  sources: OdooSource[];
  /** The step type the ingest workflows use. */
  steps: StepType<any>[];
  /** One built-in workflow per source: hint -> re-read -> record event. */
  workflows: LoadedWorkflow[];
  /** The webhook route, for the API server. */
  routes: FastifyPluginAsync;
  startPollers(): void;
  stopPollers(): void;
  /** Runs every poller once now (tests, `crossdock odoo poll`). */
  pollAll(): Promise<{ source: string; event: string; result: PollResult }[]>;
  /** Emits the watched records last written in a window, through the pollers' keys (`crossdock odoo backfill`). */
  backfill(request: BackfillRequest): Promise<BackfillResult[]>;
  webhookPath(source: string, event: string): string;
  /** The path tokens in force (configured, or rotated). */
  tokens: HookTokens;
}

/** Event ingestion from Odoo: webhook hints, re-read into facts, and pollers for what hints miss. */
export function createOdooIngestion(
  sourcesInput: unknown[],
  deps: OdooIngestionDeps,
): OdooIngestion {
  const sources = sourcesInput.map((s) => OdooSourceSchema.parse(s));
  const pollers: { source: OdooSource; watch: OdooWatch; poller: OdooPoller }[] = sources.flatMap(
    (source) =>
      source.watch.map((watch) => ({
        source,
        watch,
        poller: new OdooPoller(
          {
            store: deps.store,
            client: deps.clients(source.connection),
            accept: deps.accept,
            now: deps.now,
            logger: deps.logger,
          },
          source,
          watch,
        ),
      })),
  );
  const tokens = new HookTokens(deps.secrets ?? (() => null), deps.now);
  return {
    sources,
    tokens,
    steps: [rereadStep(deps.clients)],
    workflows: sources.map((source) =>
      ingestWorkflow(source, hintTimingOf(deps.clients(source.connection).protocol)),
    ),
    routes: odooWebhookRoutes({ sources, accept: deps.accept, logger: deps.logger, tokens }),
    startPollers: () => pollers.forEach((p) => p.poller.start()),
    stopPollers: () => pollers.forEach((p) => p.poller.stop()),
    async pollAll() {
      const results = [];
      for (const p of pollers)
        results.push({
          source: p.source.name,
          event: p.watch.event,
          result: await p.poller.pollOnce(),
        });
      return results;
    },
    backfill: (request) => backfill(sources, deps, request),
    webhookPath(sourceName, event) {
      const source = sources.find((s) => s.name === sourceName);
      if (!source) throw new Error(`no Odoo source ${sourceName}`);
      return odooWebhookPath(source, event);
    },
  };
}
