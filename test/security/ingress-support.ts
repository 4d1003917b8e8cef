import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { parseCarrierConfigs } from '../../src/connectors/carriers/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { signTimestamped } from '../../src/triggers/index.ts';
import { parseWorkflow } from '../../src/workflows/index.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

export const HOOK_SECRET = 'shop-secret-0123456789-abcdefghij';
export const CARRIER_SECRET = 'carrier-secret-0123456789abcdef';
export const ODOO_TOKEN = 'odoo-hook-token-0123456789abcdef';

/**
 * A whole Crossdock as `start` serves it (createCrossdock, the API with the connectors'
 * webhook routes), so every ingress is the real one: POST /api/v1/events, a webhook source
 * `shop` (/hooks/shop), Odoo hints (/hooks/odoo/odoo/...), a carrier `swift`
 * (/hooks/carriers/swift) and the CLI's feed (engine.accept through the `cli` door).
 * Odoo is never called: no worker runs, so hints are stored and wait.
 */
export interface Ingress {
  crossdock: Crossdock;
  base: string;
  admin: string;
  /** Each sends the same logical event through its door; the body is sent as given (text). */
  api(body: string, token?: string): Promise<Answer>;
  hook(body: string): Promise<Answer>;
  odoo(body: string): Promise<Answer>;
  carrier(body: string): Promise<Answer>;
  cli(line: string): Promise<Answer>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: any;
}

export async function startIngress(
  options: { workflows?: string[]; env?: Record<string, string> } = {},
): Promise<Ingress> {
  const t: TestStore<Reachable> = await openTestStore({ onDisk: true });
  if (t.connection.kind === 'pglite') await t.store.close();
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-ingress-'));
  writeFileSync(
    join(dir, 'odoo.yaml'),
    `
public_url: http://127.0.0.1:1
connections:
  - { name: main, url: "http://127.0.0.1:9", database: none, login: admin, api_key_env: INGRESS_ODOO_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: main
    token_env: INGRESS_ODOO_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, rule: { state: sale }, domain: [[state, "=", sale]], fields: [name, state], poll_interval_ms: 0 }
`,
  );
  process.env.INGRESS_ODOO_KEY = 'unused-key';
  process.env.INGRESS_ODOO_TOKEN = ODOO_TOKEN;
  const config = loadConfig({
    ...(t.connection.kind === 'postgres'
      ? { DATABASE_URL: t.connection.url }
      : { CROSSDOCK_DATA_DIR: t.connection.dataDir }),
    CROSSDOCK_STATE_DIR: t.connection.kind === 'pglite' ? dirname(t.connection.dataDir) : dir,
    CROSSDOCK_SECRETS_KEY: Buffer.alloc(32, 9).toString('base64'),
    CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const carriers = parseCarrierConfigs([
    {
      code: 'swift',
      base_url: 'http://127.0.0.1:9',
      auth: { api_key: 'k' },
      webhook: { secret: CARRIER_SECRET, signature_header: 'X-Sig' },
    },
  ]);
  const crossdock = await createCrossdock(config, {
    logger: silentLogger(),
    migrate: false,
    carriers,
  });
  const extra = (options.workflows ?? []).flatMap((text, i) => {
    const loaded = parseWorkflow(text, `ingress-${i}.yaml`, crossdock.engine.steps);
    if (!loaded.ok) throw new Error(`workflow ${i} is invalid: ${JSON.stringify(loaded.problems)}`);
    return loaded.workflows;
  });
  await crossdock.engine.installWorkflows(extra);
  const api: FastifyInstance = await buildApi({
    services: crossdock.services,
    logger: silentLogger(),
    maxBodyBytes: 1024 * 1024,
    plugins: crossdock.webhookRoutes,
    dashboardDir: null,
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const adminUser = await crossdock.services.users.create({
    email: 'admin@ingress.test',
    role: 'admin',
    password: 'a long enough password',
  });
  const admin = (
    await crossdock.services.tokens.create(
      { id: adminUser.id, role: 'admin' },
      { name: 'admin' },
      null,
    )
  ).token;
  const post = async (
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  };
  await crossdock.services.sources.create({
    name: 'shop',
    verification: 'header-hmac',
    signatureHeader: 'X-Shop-Hmac',
    secret: HOOK_SECRET,
    mapping: { type: '= body.type', key: '= body.key', payload: '= body.payload' },
  });
  return {
    crossdock,
    base,
    admin,
    api: (body, token = admin) =>
      post('/api/v1/events', body, { authorization: `Bearer ${token}` }),
    hook: (body) =>
      post('/hooks/shop', body, {
        'x-shop-hmac': createHmac('sha256', HOOK_SECRET).update(body).digest('base64'),
      }),
    odoo: (body) =>
      post(crossdock.odoo!.ingestion.webhookPath('odoo', 'sale.order.confirmed'), body),
    carrier: (body) =>
      post('/hooks/carriers/swift', body, {
        'x-sig': createHmac('sha256', CARRIER_SECRET).update(body).digest('hex'),
      }),
    async cli(line) {
      try {
        const accepted = await crossdock.engine.accept(JSON.parse(line), 'cli');
        return { status: accepted.duplicate || accepted.conflict ? 200 : 202, body: accepted };
      } catch (error) {
        const e = error as { code?: string; details?: unknown };
        return { status: 400, body: { error: { code: e.code, details: e.details } } };
      }
    },
    async count(table) {
      const row = (
        await sql<{ n: string | number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
          crossdock.store.db,
        )
      ).rows[0];
      return Number(row?.n ?? 0);
    },
    async close() {
      await api.close();
      await crossdock.close();
      await t.dispose().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { signTimestamped };
