import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/index.ts';
import { servicesFor } from '../support/api-services.ts';
import type { Engine } from '../../src/engine/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const FLOW = `
id: typed
trigger:
  event: invoice.posted
  schema:
    type: object
    required: [invoice, amount]
    properties:
      invoice: { type: string }
      amount: { type: number, minimum: 0 }
steps:
  - id: echo
    type: transform
    with: { invoice: "= input.invoice" }
`;

describe('REST API: intake and bad input', () => {
  let t: TestStore;
  let engine: Engine;
  let api: FastifyInstance;
  let base: string;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });
  const post = (path: string, body: unknown, raw = false) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: raw ? (body as string) : JSON.stringify(body),
    });
  const storedEvents = async () =>
    Number(
      (
        await t.store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [FLOW], { maxEventBytes: 2048 });
    engine.startWorkers(1);
    const services = servicesFor(engine, { keyring: null });
    const operator = await services.users.create({
      email: 'operator@test.example',
      role: 'operator',
    });
    token = (await services.tokens.create(operator, { name: 'contract test' }, null)).token;
    api = await buildApi({ services, logger: silentLogger(), maxBodyBytes: 2048 });
    await api.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await api.close();
    await engine.stopWorkers();
    await t.dispose();
  });

  test('an accepted event answers 202 with its id and runs; the same key again answers 200 as a duplicate', async () => {
    const event = {
      source: 'erp',
      type: 'invoice.posted',
      key: 'INV-1',
      payload: { invoice: 'INV-1', amount: 10 },
    };
    const first = await post('/api/v1/events', event);
    assert.equal(first.status, 202);
    const body = (await first.json()) as { eventId: string; runIds: string[]; duplicate: boolean };
    assert.equal(body.duplicate, false);
    assert.equal((await waitForRun(engine, body.runIds[0]!)).status, 'completed');
    const again = await post('/api/v1/events', event);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), {
      eventId: body.eventId,
      duplicate: true,
      conflict: false,
      runIds: [],
    });
  });

  test('bad events get a clear error naming each field, and nothing is stored', async () => {
    const before = await storedEvents();
    const cases: [unknown, number, string, string[]][] = [
      [
        { source: 'erp', type: 'invoice.posted', payload: { invoice: 'X', amount: -1 } },
        400,
        'EVENT_SCHEMA_MISMATCH',
        ['payload.amount'],
      ],
      [
        { source: 'Bad Source!', type: 'invoice.posted', payload: {} },
        400,
        'EVENT_INVALID',
        ['source'],
      ],
      [
        { source: 'erp', type: 'invoice.posted', payload: 'text' },
        400,
        'EVENT_INVALID',
        ['payload'],
      ],
      [
        { source: 'erp', type: 'invoice.posted', payload: { blob: 'x'.repeat(3000) } },
        413,
        'EVENT_TOO_LARGE',
        [],
      ],
    ];
    for (const [event, status, code, paths] of cases) {
      const response = await post('/api/v1/events', event);
      const body = (await response.json()) as {
        error: { code: string; message: string; details: { path: string }[]; requestId: string };
      };
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(body.error.code, code);
      assert.ok(body.error.message.length > 0);
      assert.ok(body.error.requestId);
      assert.deepEqual(
        body.error.details.map((d) => d.path),
        paths,
      );
    }
    const notJson = await post('/api/v1/events', '{"source": ', true);
    assert.equal(notJson.status, 400);
    assert.equal(
      ((await notJson.json()) as { error: { code: string } }).error.code,
      'BODY_INVALID',
    );
    const huge = await post('/api/v1/events', {
      source: 'erp',
      type: 'x',
      payload: { blob: 'y'.repeat(10_000) },
    });
    assert.equal(huge.status, 413);
    assert.equal(await storedEvents(), before);
  });

  test('unknown runs are 404, commands that do not fit the run state are 409', async () => {
    const missing = await fetch(`${base}/api/v1/runs/424242`, { headers: auth() });
    assert.equal(missing.status, 404);
    assert.equal(
      ((await missing.json()) as { error: { code: string } }).error.code,
      'RUN_NOT_FOUND',
    );
    const { runIds } = await engine.accept({
      source: 'erp',
      type: 'invoice.posted',
      key: 'INV-2',
      payload: { invoice: 'INV-2', amount: 1 },
    });
    await waitForRun(engine, runIds[0]!);
    const replay = await post(`/api/v1/runs/${runIds[0]}/replay`, {});
    assert.equal(replay.status, 409);
    const noRoute = await fetch(`${base}/api/v1/nothing-here`);
    assert.equal(noRoute.status, 404);
  });
});
