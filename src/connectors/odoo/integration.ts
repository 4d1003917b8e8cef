import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CrossdockError } from '../../errors/index.ts';
import type { ConnectorCallSink, Logger } from '../../observability/index.ts';
import type { Store } from '../../store/index.ts';
import type { LoadedWorkflow, StepType } from '../../workflows/index.ts';
import { createOdooClient, type OdooClient } from './client.ts';
import { OdooProfileSchema } from './config.ts';
import {
  checkExitCode,
  odooNeeds,
  runProbes,
  type CapabilityCheck,
  type ProbeContext,
} from './check.ts';
import {
  createOdooIngestion,
  OdooSourceSchema,
  setupRules,
  type OdooIngestion,
  type Rotation,
  type RuleStatus,
  type TokenSecrets,
} from './ingest/index.ts';

/**
 * The Odoo configuration file (CROSSDOCK_ODOO_CONFIG). Secrets are never in it: each
 * connection names the environment variable that holds its API key, each source the
 * variable that holds its webhook token.
 */
const ConnectionFileSchema = OdooProfileSchema.omit({ apiKey: true }).extend({
  api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
});
const SourceFileSchema = OdooSourceSchema.omit({ token: true }).extend({
  token_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
});
export const OdooFileSchema = z.strictObject({
  /** How Odoo reaches Crossdock (the webhook URLs written into Odoo's rules). */
  public_url: z.url({ protocol: /^https?$/ }),
  connections: z.array(ConnectionFileSchema).min(1),
  sources: z.array(SourceFileSchema).default([]),
});

export interface OdooSettings {
  publicUrl: string;
  profiles: z.input<typeof OdooProfileSchema>[];
  sources: z.input<typeof OdooSourceSchema>[];
}

export function loadOdooSettings(
  path: string,
  env: Record<string, string | undefined> = process.env,
): OdooSettings {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CrossdockError(
      'ODOO_CONFIG_INVALID',
      `Cannot read the Odoo configuration ${path}: ${(error as Error).message}`,
      { category: 'user' },
    );
  }
  const parsed = OdooFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CrossdockError('ODOO_CONFIG_INVALID', `The Odoo configuration ${path} is not valid`, {
      category: 'user',
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const missing: { path: string; message: string }[] = [];
  const secret = (name: string, where: string) => {
    const value = env[name];
    if (!value) missing.push({ path: where, message: `environment variable ${name} is not set` });
    return value ?? '';
  };
  const profiles = parsed.data.connections.map(({ api_key_env, ...c }, i) => ({
    ...c,
    apiKey: secret(api_key_env, `connections.${i}.api_key_env`),
  }));
  const sources = parsed.data.sources.map(({ token_env, ...s }, i) => ({
    ...s,
    token: secret(token_env, `sources.${i}.token_env`),
  }));
  if (missing.length > 0)
    throw new CrossdockError(
      'ODOO_CONFIG_INVALID',
      'Odoo secrets are missing from the environment',
      { category: 'user', details: missing },
    );
  return { publicUrl: parsed.data.public_url, profiles, sources };
}

export interface OdooIntegration {
  clients: (connection: string) => OdooClient;
  ingestion: OdooIngestion;
  steps: StepType<any>[];
  workflows: LoadedWorkflow[];
  routes: FastifyPluginAsync;
  setupRules(): Promise<RuleStatus[]>;
  /**
   * A new webhook path token for each source, then its rules in Odoo updated to the new URL;
   * the old token is accepted `overlapMs` longer.
   */
  rotateTokens(o: { overlapMs: number }): Promise<{ rotations: Rotation[]; rules: RuleStatus[] }>;
  /** Checks every connection; `workflows` are those whose Odoo steps' rights are checked too. */
  check(workflows?: readonly LoadedWorkflow[]): Promise<OdooCheck[]>;
}

/** One connection's check: a line per capability (see check.ts), and what it learnt. */
export interface OdooCheck {
  connection: string;
  /** Every capability ok (warnings aside). */
  ok: boolean;
  /** The server answered and the login was accepted. */
  reachable: boolean;
  version?: string;
  capabilities: CapabilityCheck[];
}

/** Wires the Odoo connector for one Crossdock instance. `accept` is the engine's intake. */
export function createOdooIntegration(
  settings: OdooSettings,
  deps: {
    store: Store;
    accept: Parameters<typeof createOdooIngestion>[1]['accept'];
    now: () => Date;
    logger: Logger;
    extraSteps?: (clients: (c: string) => OdooClient) => StepType<any>[];
    /** Counts each client's HTTP attempts (the dashboard's error rate per connection). */
    calls?: ConnectorCallSink;
    /** Where rotated webhook tokens are kept (the secret store). */
    secrets?: () => TokenSecrets | null;
  },
): OdooIntegration {
  const byName = new Map(
    settings.profiles.map((p) => [
      p.name,
      createOdooClient(p, { logger: deps.logger, ...(deps.calls ? { calls: deps.calls } : {}) }),
    ]),
  );
  const clients = (name: string) => {
    const client = byName.get(name);
    if (!client)
      throw new CrossdockError(
        'ODOO_CONNECTION_UNKNOWN',
        `No Odoo connection "${name}"; known: ${[...byName.keys()].join(', ')}`,
        { category: 'user' },
      );
    return client;
  };
  const ingestion = createOdooIngestion(settings.sources, {
    store: deps.store,
    clients,
    accept: deps.accept,
    now: deps.now,
    logger: deps.logger,
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
  });
  const { tokens } = ingestion;
  return {
    clients,
    ingestion,
    steps: [...ingestion.steps, ...(deps.extraSteps?.(clients) ?? [])],
    workflows: ingestion.workflows,
    routes: ingestion.routes,
    async setupRules() {
      const out: RuleStatus[] = [];
      for (const source of ingestion.sources)
        out.push(
          ...(await setupRules(
            clients(source.connection),
            source,
            settings.publicUrl,
            await tokens.current(source),
          )),
        );
      return out;
    },
    async rotateTokens({ overlapMs }) {
      const rotations: Rotation[] = [];
      const rules: RuleStatus[] = [];
      for (const source of ingestion.sources) {
        // The new token is accepted before Odoo can post with it; until the rules are
        // written Odoo keeps posting the old one, accepted during the overlap.
        rotations.push(await tokens.rotate(source, overlapMs));
        rules.push(
          ...(await setupRules(
            clients(source.connection),
            source,
            settings.publicUrl,
            await tokens.current(source),
          )),
        );
      }
      return { rotations, rules };
    },
    async check(workflows = []) {
      const out: OdooCheck[] = [];
      for (const [name, client] of byName) {
        const ctx: ProbeContext = {
          client,
          sources: ingestion.sources.filter((s) => s.connection === name),
          publicUrl: settings.publicUrl,
          needs: odooNeeds(workflows, name),
          tokenOf: (source) => tokens.current(source),
        };
        const capabilities = await runProbes(ctx);
        out.push({
          connection: name,
          capabilities,
          ok: checkExitCode(capabilities) === 0,
          reachable: !capabilities.some((c) => c.state === 'unreachable'),
          ...(ctx.version ? { version: ctx.version.serverVersion } : {}),
        });
      }
      return out;
    },
  };
}
