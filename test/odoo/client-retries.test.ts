/**
 * Retries, backoff and re-authentication, with the simulator's fault injection. The
 * client's sleep is replaced by a recorder, so no test waits: the number of recorded
 * sleeps is the number of retries.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOdooClient,
  odooBackoff,
  parseOdooProfile,
} from '../../src/connectors/odoo/index.ts';
import { backoffDelayMs } from '../../src/workflows/index.ts';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/index.ts';
import { fixedRandom, profileFor, recordingSleep } from './support/clients.ts';

describe('client retries against the simulator', () => {
  let sim: OdooSimulator;
  before(async () => {
    sim = await startOdooSimulator();
  });
  after(() => sim.close());
  beforeEach(async () => {
    await sim.faults.reset();
    sim.calls.clear();
  });

  const client = (
    sleep: (ms: number) => Promise<void>,
    protocol: 'jsonrpc' | 'xmlrpc' | 'json2' = 'jsonrpc',
  ) => createOdooClient(profileFor(sim, protocol), { sleep, random: fixedRandom(0.5) });

  test('a read is retried after two 502 answers, with growing backoff', async () => {
    const recorder = recordingSleep();
    sim.faults.failNextRequests(2, 502);
    assert.equal(
      await client(recorder.sleep).call('sale.order', 'search_count', [[['state', '=', 'sale']]]),
      19,
    );
    // baseDelayMs 100, equal jitter with random 0.5: 75 ms then 150 ms.
    assert.deepEqual(recorder.delays, [75, 150]);
    assert.equal(
      sim.calls.count({ model: 'sale.order', method: 'search_count' }),
      1,
      'the 502s never reached Odoo',
    );
  });

  test('a read is retried after a reset socket, over each transport', async () => {
    for (const protocol of ['jsonrpc', 'xmlrpc', 'json2'] as const) {
      const recorder = recordingSleep();
      const odoo = client(recorder.sleep, protocol);
      await odoo.call('res.partner', 'search_count', [[]]);
      sim.faults.failNextRequests(1, 'reset');
      assert.equal(typeof (await odoo.call('res.partner', 'search_count', [[]])), 'number');
      assert.equal(recorder.delays.length, 1, protocol);
    }
  });

  test('a write is retried when the connection is refused (it never reached Odoo)', async () => {
    // A simulator no client has connected to yet: no pooled keep-alive socket can turn
    // the refusal into an ambiguous "other side closed".
    const fresh = await startOdooSimulator();
    try {
      await fresh.faults.setDown('refuse');
      const recorder = recordingSleep(async (_delay, count) => {
        if (count === 2) await fresh.faults.setDown(false);
      });
      const odoo = createOdooClient(profileFor(fresh, 'jsonrpc'), {
        sleep: recorder.sleep,
        random: fixedRandom(0.5),
      });
      const id = await odoo.call<number>('res.partner', 'create', [{ name: 'Retry Refused' }]);
      assert.equal(recorder.delays.length, 2);
      assert.equal(fresh.db.searchRead('res.partner', [['id', '=', id]]).length, 1);
      assert.equal(fresh.calls.count({ model: 'res.partner', method: 'create' }), 1);
    } finally {
      await fresh.close();
    }
  });

  test('a write answered 502 is NOT repeated: Odoo may have committed it', async () => {
    const recorder = recordingSleep();
    sim.faults.failNextRequests(1, 502);
    await assert.rejects(
      client(recorder.sleep).call('res.partner', 'create', [{ name: 'Maybe Created' }]),
      { code: 'ODOO_UNAVAILABLE', category: 'transient', retryable: true },
    );
    assert.deepEqual(recorder.delays, []);
  });

  test('a write rolled back by a serialization failure is retried and applied once', async () => {
    const recorder = recordingSleep();
    sim.faults.failNextCalls(1, 'serialization');
    const id = await client(recorder.sleep).call<number>('res.partner', 'create', [
      { name: 'Serialized Once' },
    ]);
    assert.equal(recorder.delays.length, 1);
    assert.equal(sim.calls.count({ model: 'res.partner', method: 'create', outcome: 'error' }), 1);
    assert.equal(sim.db.searchRead('res.partner', [['name', '=', 'Serialized Once']]).length, 1);
    assert.equal(typeof id, 'number');
  });

  test('a UserError is never retried', async () => {
    const recorder = recordingSleep();
    await assert.rejects(client(recorder.sleep).call('sale.order', 'action_confirm', [[21]]), {
      code: 'ODOO_USER_ERROR',
      category: 'user',
      retryable: false,
    });
    assert.deepEqual(recorder.delays, []);
    assert.equal(sim.calls.count({ method: 'action_confirm' }), 1);
  });

  test('retries stop after maxAttempts and surface the transient error', async () => {
    const recorder = recordingSleep();
    await sim.faults.setDown(503);
    await assert.rejects(client(recorder.sleep).call('res.partner', 'search_count', [[]]), {
      code: 'ODOO_UNAVAILABLE',
    });
    assert.equal(recorder.delays.length, 3, 'maxAttempts 4 means 3 retries');
  });

  test('a timeout is retried for a read, with the injected sleep', async () => {
    const recorder = recordingSleep(() => sim.faults.setLatencyMs(0));
    sim.faults.setLatencyMs(400);
    const odoo = createOdooClient(profileFor(sim, 'jsonrpc', { timeoutMs: 50 }), {
      sleep: recorder.sleep,
      random: fixedRandom(0),
    });
    assert.equal(typeof (await odoo.call('res.partner', 'search_count', [[]])), 'number');
    assert.deepEqual(recorder.delays, [50]);
  });

  test('session expiry: the uid is dropped, the client authenticates again once and retries', async () => {
    const recorder = recordingSleep();
    const odoo = client(recorder.sleep);
    await odoo.call('res.partner', 'search_count', [[]]);
    await odoo.call('res.partner', 'search_count', [[]]);
    assert.equal(sim.calls.count({ method: 'authenticate' }), 1, 'the uid is cached');
    sim.faults.failNextCalls(1, 'session-expired');
    assert.equal(typeof (await odoo.call('res.partner', 'search_count', [[]])), 'number');
    assert.equal(sim.calls.count({ method: 'authenticate' }), 2);
    assert.deepEqual(recorder.delays, [], 're-authentication is not a backoff retry');
    sim.faults.failNextCalls(2, 'session-expired');
    await assert.rejects(odoo.call('res.partner', 'search_count', [[]]), {
      code: 'ODOO_SESSION_EXPIRED',
      category: 'transient',
    });
    assert.equal(
      sim.calls.count({ method: 'authenticate' }),
      3,
      'only one re-authentication per call',
    );
  });

  test('a refused login is ODOO_ACCESS_DENIED and is not cached', async () => {
    const odoo = createOdooClient(profileFor(sim, 'jsonrpc', { login: 'nobody@example.com' }), {
      sleep: recordingSleep().sleep,
    });
    await assert.rejects(odoo.call('res.partner', 'search_count', [[]]), {
      code: 'ODOO_ACCESS_DENIED',
    });
    await assert.rejects(odoo.call('res.partner', 'search_count', [[]]), {
      code: 'ODOO_ACCESS_DENIED',
    });
    assert.equal(sim.calls.count({ method: 'authenticate' }), 2);
  });
});

describe('backoff and profile validation', () => {
  test('exponential backoff with equal jitter, capped', () => {
    const backoff = odooBackoff({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1_000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(backoff, attempt, () => 0)),
      [50, 100, 200, 400, 500],
    );
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(backoff, attempt, () => 0.999999)),
      [100, 200, 400, 800, 1000],
    );
  });

  test('an invalid profile lists every bad value and never echoes the key', () => {
    assert.throws(
      () =>
        parseOdooProfile({
          name: '',
          url: 'ftp://x',
          database: 'db',
          login: 'a',
          apiKey: 'secret-key',
          protocol: 'soap',
          timeoutMs: -1,
        }),
      (error: Error & { code?: string; details?: Array<{ path: string }> }) => {
        assert.equal(error.code, 'ODOO_CONFIG_INVALID');
        assert.deepEqual(error.details?.map((detail) => detail.path).sort(), [
          'name',
          'protocol',
          'timeoutMs',
          'url',
        ]);
        assert.ok(!error.message.includes('secret-key'));
        return true;
      },
    );
    assert.throws(
      () =>
        parseOdooProfile({
          name: 'x',
          url: 'https://user:pw@erp.example.com',
          database: 'db',
          login: 'a',
          apiKey: 'k',
          protocol: 'jsonrpc',
        }),
      { code: 'ODOO_CONFIG_INVALID' },
    );
  });
});
