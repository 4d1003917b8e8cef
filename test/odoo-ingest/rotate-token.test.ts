/**
 * Rotating the Odoo webhook token (`crossdock odoo setup-rules --rotate-token`): Odoo writes
 * every webhook URL, token included, into its log, so the token must be replaceable. A new
 * token is kept in the store, Odoo's rules are updated to the new URL, the old URL is still
 * accepted during the overlap (hints from transactions begun before the change), then
 * refused; a hint refused after that is reconciled by the poller.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { sendError } from '../../src/api/errors.ts';
import { loadConfig } from '../../src/config/index.ts';
import { HookTokens, OdooSourceSchema } from '../../src/connectors/odoo/ingest/index.ts';
import type { Clock } from '../../src/engine/index.ts';
import { createCrossdock, type Crossdock } from '../../src/main.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { runCrossdock } from '../support/cli.ts';
import { createTestDatabase, dropTestDatabase, TEST_STORE_KIND } from '../support/stores.ts';

const TOKEN = 'configured-token-0123456789abcdef';
const SECRETS_KEY = randomBytes(32).toString('base64');

class JumpingClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

function odooYaml(sim: OdooSimulator, publicUrl: string): string {
  return `
public_url: ${publicUrl}
connections:
  - { name: main, url: "${sim.url}", database: ${sim.database}, login: admin, api_key_env: ROTATE_ODOO_KEY, protocol: jsonrpc }
sources:
  - name: odoo
    connection: main
    token_env: ROTATE_HOOK_TOKEN
    watch:
      - { model: sale.order, event: sale.order.confirmed, rule: { state: sale }, domain: [[state, "=", sale]], fields: [name, state, amount_total, date_order], poll_interval_ms: 0, settle_ms: 5000 }
`;
}

/** The webhook URL Odoo's rule posts to, as Odoo holds it. */
const ruleUrl = (sim: OdooSimulator) =>
  String(
    sim.db.searchRead('ir.actions.server', [['state', '=', 'webhook']], ['webhook_url'])[0]!
      .webhook_url,
  );

async function confirmOrder(sim: OdooSimulator): Promise<number> {
  const productId = (sim.db.searchRead('product.product', [], ['id'])[0] as { id: number }).id;
  const id = (await sim.db.call('sale.order', 'create', [
    { partner_id: 10, order_line: [[0, 0, { product_id: productId, product_uom_qty: 1 }]] },
  ])) as number;
  await sim.db.call('sale.order', 'action_confirm', [[id]]);
  return id;
}

describe('odoo webhook token rotation, against the simulator', () => {
  let sim: OdooSimulator;
  let crossdock: Crossdock;
  let api: FastifyInstance;
  let front: Server;
  let dir: string;
  let database: string | null = null;
  const clock = new JumpingClock();

  before(async () => {
    sim = await startOdooSimulator();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-rotate-'));
    // Odoo's rules need Crossdock's address before Crossdock is built: a front server on port 0
    // hands each request to the webhook routes.
    front = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        const answer = await api.inject({
          method: req.method as 'POST',
          url: req.url!,
          headers: req.headers,
          payload: body,
        });
        res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    writeFileSync(
      join(dir, 'odoo.yaml'),
      odooYaml(sim, `http://127.0.0.1:${(front.address() as AddressInfo).port}`),
    );
    process.env.ROTATE_ODOO_KEY = 'sim-admin-api-key';
    process.env.ROTATE_HOOK_TOKEN = TOKEN;
    const config = loadConfig({
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      CROSSDOCK_POLL_INTERVAL_MS: '50',
      CROSSDOCK_SECRETS_KEY: SECRETS_KEY,
      ...(TEST_STORE_KIND === 'postgres'
        ? { DATABASE_URL: (database = await createTestDatabase()) }
        : { CROSSDOCK_DATA_DIR: join(dir, 'data') }),
    });
    crossdock = await createCrossdock(config, { logger: silentLogger(), clock });
    api = Fastify();
    api.setErrorHandler((error, request, reply) => sendError(request, reply, error));
    await api.register(crossdock.odoo!.routes);
    await api.ready();
    crossdock.engine.startWorkers(1);
    await crossdock.odoo!.setupRules();
    await crossdock.odoo!.ingestion.pollAll(); // the poller's starting point
  });
  after(async () => {
    await new Promise((resolve) => front.close(resolve));
    await api.close();
    await crossdock.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    if (database) await dropTestDatabase(database);
  });

  /** Resolves once the order's sale.order.confirmed event is stored. */
  const confirmedEvent = async (orderId: number, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await sql<{
        id: string;
      }>`SELECT id FROM events WHERE type = 'sale.order.confirmed' AND payload->>'id' = ${String(orderId)}`.execute(
        crossdock.store.db,
      );
      if (rows.rows.length > 0) return rows.rows.length;
      if (Date.now() > deadline)
        throw new Error(
          `no sale.order.confirmed event for order ${orderId} within ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test(
    'new URL in Odoo, old URL accepted during the overlap then refused, a refused hint reconciled by the poller',
    { timeout: 120_000 },
    async () => {
      const oldUrl = ruleUrl(sim);
      assert.ok(oldUrl.endsWith(`/${TOKEN}`));
      const before = await confirmOrder(sim);
      await confirmedEvent(before);
      const inFlight = sim.webhooks.at(-1)!.body;

      const rotatedAt = clock.now().getTime();
      const { rotations, rules } = await crossdock.odoo!.rotateTokens({ overlapMs: 60_000 });
      assert.deepEqual(
        rules.map((r) => r.state),
        ['updated'],
      );
      const newUrl = ruleUrl(sim);
      assert.notEqual(newUrl, oldUrl, "Odoo's rule posts to the new URL");
      assert.ok(
        !newUrl.includes(TOKEN) && rules.every((r) => r.url.endsWith('/***')),
        'the new token is only in Odoo, never printed',
      );
      const until = Date.parse(rotations[0]!.previousUntil);
      assert.ok(
        until >= rotatedAt + 60_000 && until <= clock.now().getTime() + 60_000,
        'the overlap ends 60 s after the rotation',
      );

      // A hint from a transaction begun before the change still reaches the old URL: accepted.
      assert.equal((await post(oldUrl, inFlight)).status, 200);
      const during = await confirmOrder(sim);
      assert.equal(sim.webhooks.at(-1)!.url, newUrl);
      assert.equal(sim.webhooks.at(-1)!.status, 200);
      await confirmedEvent(during);
      const ruleLines = (await crossdock.odoo!.check())[0]!.capabilities.filter((c) =>
        c.capability.startsWith('rule '),
      );
      assert.ok(
        ruleLines.length > 0 && ruleLines.every((c) => c.state === 'ok'),
        `check compares with the token in force: ${JSON.stringify(ruleLines)}`,
      );

      clock.offsetMs += 61_000;
      const refused = await post(oldUrl, inFlight);
      assert.equal(refused.status, 401);
      // The API's one error body, as every webhook door answers it.
      const body = (await refused.json()) as {
        error: { code: string; message: string; details: unknown[]; requestId: string };
      };
      assert.deepEqual(
        [body.error.code, body.error.message, body.error.details],
        ['HOOK_UNAUTHORIZED', 'Unknown source or wrong token', []],
      );
      assert.match(body.error.requestId, /\S/);
      assert.equal((await post(newUrl, inFlight)).status, 200);

      // An Odoo worker that still posts to the old URL: its hint is refused, the poller finds the order.
      await sim.db.call('ir.actions.server', 'write', [
        [
          Number(
            sim.db.searchRead('ir.actions.server', [['state', '=', 'webhook']], ['id'])[0]!.id,
          ),
        ],
        { webhook_url: oldUrl },
      ]);
      const lost = await confirmOrder(sim);
      assert.equal(sim.webhooks.at(-1)!.status, 401, 'Odoo logs the failed call and goes on');
      const polled = await crossdock.odoo!.ingestion.pollAll();
      assert.ok(polled[0]!.result.emitted >= 1, JSON.stringify(polled));
      assert.equal(await confirmedEvent(lost, 5_000), 1, 'the order is reconciled once');
    },
  );
});

describe('crossdock odoo setup-rules --rotate-token', () => {
  let sim: OdooSimulator;
  let dir: string;
  let database: string | null = null;
  let env: Record<string, string>;
  before(async () => {
    sim = await startOdooSimulator();
    dir = mkdtempSync(join(tmpdir(), 'crossdock-rotate-cli-'));
    writeFileSync(join(dir, 'odoo.yaml'), odooYaml(sim, 'http://127.0.0.1:3999'));
    env = {
      CROSSDOCK_ODOO_CONFIG: join(dir, 'odoo.yaml'),
      ROTATE_ODOO_KEY: 'sim-admin-api-key',
      ROTATE_HOOK_TOKEN: TOKEN,
      CROSSDOCK_SECRETS_KEY: SECRETS_KEY,
      ...(TEST_STORE_KIND === 'postgres'
        ? { DATABASE_URL: (database = await createTestDatabase()) }
        : { CROSSDOCK_DATA_DIR: join(dir, 'data') }),
    };
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    if (database) await dropTestDatabase(database);
  });

  test(
    'writes a new token into the rules, prints neither token, and odoo check is ok with it',
    { timeout: 180_000 },
    async () => {
      assert.equal((await runCrossdock(['odoo', 'setup-rules'], env)).status, 0);
      const first = ruleUrl(sim);
      const rotated = await runCrossdock(
        ['odoo', 'setup-rules', '--rotate-token', '--overlap-s', '0', '--json'],
        env,
      );
      assert.equal(rotated.status, 0, rotated.stderr);
      const answer = JSON.parse(rotated.stdout) as {
        rotations: { source: string }[];
        rules: { state: string; url: string }[];
      };
      assert.deepEqual(
        [answer.rotations.map((r) => r.source), answer.rules.map((r) => r.state)],
        [['odoo'], ['updated']],
      );
      const second = ruleUrl(sim);
      assert.notEqual(second, first);
      const newToken = second.split('/').at(-1)!;
      assert.ok(
        !rotated.stdout.includes(newToken) && !rotated.stdout.includes(TOKEN),
        'no token is printed',
      );
      const check = await runCrossdock(['odoo', 'check'], env);
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const bad = await runCrossdock(['odoo', 'check', '--overlap-s', '5'], env);
      assert.equal(bad.status, 2);
    },
  );
});

test('without a secrets key the configured token is the one in force, and rotating says what is missing', async () => {
  const source = OdooSourceSchema.parse({
    name: 'odoo',
    connection: 'main',
    token: TOKEN,
    watch: [{ model: 'sale.order', event: 'sale.order.confirmed', fields: ['name'] }],
  });
  const tokens = new HookTokens(
    () => null,
    () => new Date(),
  );
  assert.equal(await tokens.current(source), TOKEN);
  assert.deepEqual(
    [
      await tokens.accepts(source, TOKEN),
      await tokens.accepts(source, `${TOKEN}x`),
      await tokens.accepts(source, ''),
    ],
    [true, false, false],
  );
  await assert.rejects(
    tokens.rotate(source, 0),
    (error: Error & { code?: string }) =>
      error.code === 'SECRETS_KEY_MISSING' && /CROSSDOCK_SECRETS_KEY/.test(error.message),
  );
});
