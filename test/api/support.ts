import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiServices } from '../../src/api/index.ts';
import { auditIntake } from '../../src/audit/index.ts';
import { servicesFor } from '../support/api-services.ts';
import { ROLES, type Role } from '../../src/auth/index.ts';
import type { Engine, EngineOptions } from '../../src/engine/index.ts';
import { silentLogger, type Logger } from '../../src/observability/index.ts';
import { keyId, type Keyring } from '../../src/secrets/index.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

export const testKeyring = (): Keyring => {
  const key = randomBytes(32);
  return { current: { id: keyId(key), key }, previous: [], origin: 'test' };
};

export interface TestApi {
  t: TestStore;
  engine: Engine;
  services: ApiServices;
  api: FastifyInstance;
  base: string;
  /** A user of this role (created once) and a fresh token of theirs. */
  tokenFor(role: Role, options?: { scopes?: string[]; eventSources?: string[] }): Promise<string>;
  request(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      raw?: string | Buffer;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** An engine with the given workflows, its security services and the HTTP API on a free port. */
export async function startTestApi(
  options: {
    workflows?: string[];
    engine?: Partial<EngineOptions>;
    logger?: Logger;
    maxBodyBytes?: number;
    rateLimit?: { perMinute: number; loginPerMinute: number };
    /** A store that the test or another process opens again (openTestStore). */
    onDisk?: boolean;
  } = {},
): Promise<TestApi> {
  const t = options.onDisk ? await openTestStore({ onDisk: true }) : await openTestStore();
  const logger = options.logger ?? silentLogger();
  // As the product wires it: every intake batch is chained into the audit log in its own transaction.
  const intakeAudit: EngineOptions['intakeAudit'] = (senderOf) =>
    auditIntake(() => engine.clock.now(), senderOf);
  const engine: Engine = await engineWith(t.store, options.workflows ?? [], {
    logger,
    intakeAudit,
    ...options.engine,
  });
  const services = servicesFor(engine, { keyring: testKeyring() });
  const api = await buildApi({
    services,
    logger,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    rateLimit: options.rateLimit ?? { perMinute: 100_000, loginPerMinute: 1000 },
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const users = new Map<Role, string>();
  const request: TestApi['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };
  return {
    t,
    engine,
    services,
    api,
    base,
    request,
    async tokenFor(role, o = {}) {
      let userId = users.get(role);
      if (!userId) {
        userId = (
          await services.users.create({
            email: `${role}@test.example`,
            role,
            password: 'a long enough password',
          })
        ).id;
        users.set(role, userId);
      }
      const { token } = await services.tokens.create(
        { id: userId, role },
        {
          name: `${role} test`,
          ...(o.scopes ? { scopes: o.scopes as never } : {}),
          ...(o.eventSources ? { eventSources: o.eventSources } : {}),
        },
        null,
      );
      return token;
    },
    async count(table) {
      const { sql } = await import('kysely');
      const row = (
        await sql<{ n: string | number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
          t.store.db,
        )
      ).rows[0];
      return Number(row?.n ?? 0);
    },
    async close() {
      await api.close();
      services.metrics.close();
      await engine.stopWorkers();
      await t.dispose();
    },
  };
}

export { ROLES };
