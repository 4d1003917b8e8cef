import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CrossdockError } from '../../src/errors/index.ts';
import { retryOnStoreFault } from '../../src/engine/index.ts';
import { mapStoreFault, storeFault } from '../../src/store/index.ts';

/** The driver's failures as pg and node report them: an Error with a SQLSTATE or socket code, or none. */
const driverError = (message: string, code?: string) =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

describe('store faults: the one map from database failures to Crossdock errors', () => {
  const table: [string, Error, string | undefined][] = [
    [
      'serialization failure',
      driverError('could not serialize access due to concurrent update', '40001'),
      'STORE_CONFLICT',
    ],
    ['deadlock', driverError('deadlock detected', '40P01'), 'STORE_CONFLICT'],
    [
      'administrator shutdown (pg_terminate_backend)',
      driverError('terminating connection due to administrator command', '57P01'),
      'STORE_UNAVAILABLE',
    ],
    [
      'crash shutdown',
      driverError('terminating connection because of crash of another server process', '57P02'),
      'STORE_UNAVAILABLE',
    ],
    [
      'server starting up',
      driverError('the database system is starting up', '57P03'),
      'STORE_UNAVAILABLE',
    ],
    [
      'connection exception class 08',
      driverError('connection failure', '08006'),
      'STORE_UNAVAILABLE',
    ],
    [
      'too many connections (class 53)',
      driverError('sorry, too many clients already', '53300'),
      'STORE_UNAVAILABLE',
    ],
    ['out of memory (class 53)', driverError('out of memory', '53200'), 'STORE_UNAVAILABLE'],
    ['connection reset', driverError('read ECONNRESET', 'ECONNRESET'), 'STORE_UNAVAILABLE'],
    [
      'connection refused',
      driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      'STORE_UNAVAILABLE',
    ],
    [
      'connection lost with no code',
      driverError('Connection terminated unexpectedly'),
      'STORE_UNAVAILABLE',
    ],
    [
      'a client broken earlier',
      driverError('Client has encountered a connection error and is not queryable'),
      'STORE_UNAVAILABLE',
    ],
    [
      'unique violation (a bug or a race the caller handles)',
      driverError('duplicate key value violates unique constraint', '23505'),
      undefined,
    ],
    ['syntax error', driverError('syntax error at or near "SELEC"', '42601'), undefined],
    [
      'query canceled (a timeout of ours, not an outage)',
      driverError('canceling statement due to statement timeout', '57014'),
      undefined,
    ],
    ['a plain bug', new TypeError('x is not a function'), undefined],
  ];
  for (const [what, error, code] of table) {
    test(`${what} -> ${code ?? 'unchanged'}`, () => {
      const mapped = storeFault(error);
      assert.equal(mapped?.code, code);
      if (code === undefined) {
        assert.equal(mapStoreFault(error), error, 'passed through untouched');
        return;
      }
      assert.ok(mapped);
      assert.equal(mapped.category, 'transient');
      assert.equal(mapped.retryable, true);
      assert.ok((mapped.retryAfterMs ?? 0) >= 1_000, 'carries a Retry-After for API callers');
      assert.equal(mapped.cause, error, 'the driver error stays the cause, for the log');
      assert.ok(mapped.message.includes(error.message));
    });
  }

  test('a Crossdock error is never wrapped again', () => {
    const ours = new CrossdockError('STORE_UNAVAILABLE', 'down', { category: 'transient' });
    assert.equal(mapStoreFault(ours), ours);
    const other = new CrossdockError('EVENT_INVALID', 'bad', { category: 'user' });
    assert.equal(mapStoreFault(other), other);
  });
});

describe('retryOnStoreFault', () => {
  const fault = () => storeFault(driverError('deadlock detected', '40P01'))!;

  test('runs the transaction again after a store fault and returns its result', async () => {
    let calls = 0;
    const result = await retryOnStoreFault(
      async () => {
        calls++;
        if (calls < 3) throw fault();
        return 'committed';
      },
      () => 0,
      { max_attempts: 5, initial_delay_ms: 1, max_delay_ms: 2, multiplier: 2, jitter: 0 },
    );
    assert.equal(result, 'committed');
    assert.equal(calls, 3);
  });

  test('is bounded: the last fault is thrown after max_attempts', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnStoreFault(
        async () => {
          calls++;
          throw fault();
        },
        () => 0,
        { max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 1, multiplier: 1, jitter: 0 },
      ),
      { code: 'STORE_CONFLICT' },
    );
    assert.equal(calls, 4);
  });

  test('any other failure is thrown at once, not retried', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnStoreFault(
        async () => {
          calls++;
          throw new CrossdockError('EVENT_INVALID', 'bad', { category: 'user' });
        },
        () => 0,
      ),
      { code: 'EVENT_INVALID' },
    );
    assert.equal(calls, 1);
  });
});
