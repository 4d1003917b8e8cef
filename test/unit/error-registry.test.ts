import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { apiClient } from '../../src/cli/operations.ts';
import { CrossdockError, ERROR_CODES, httpStatusOf } from '../../src/errors/index.ts';

describe('the error registry', () => {
  test('a code outside the registry, or a category other than its own, does not typecheck', () => {
    // tsc checks these lines (npx tsc -p tsconfig.json): each must stay an error.
    // @ts-expect-error a mistyped code
    const typo = () => new CrossdockError('RUN_NOT_FOUNDD', 'no such run');
    const miscategorised = () =>
      // @ts-expect-error RUN_NOT_FOUND is the user's error, not a transient one
      new CrossdockError('RUN_NOT_FOUND', 'no such run', { category: 'transient' });
    assert.equal(typo().code, 'RUN_NOT_FOUNDD');
    assert.equal(miscategorised().category, 'transient');
  });

  test('an error takes its category, retryability and HTTP status from the registry', () => {
    const missing = new CrossdockError('RUN_NOT_FOUND', 'No run 7');
    assert.deepEqual(
      [missing.category, missing.retryable, httpStatusOf(missing)],
      ['user', false, 404],
    );
    const outage = new CrossdockError('STORE_UNAVAILABLE', 'The database is unavailable');
    assert.deepEqual(
      [outage.category, outage.retryable, httpStatusOf(outage)],
      ['transient', true, 503],
    );
    assert.equal(httpStatusOf(new CrossdockError('USER_DISABLED', 'User 3 is disabled')), 403);
    // A call site may say one occurrence is worth retrying (an HTTP 408); the category stays.
    const timeout = new CrossdockError('HTTP_CLIENT_ERROR', 'GET /x answered 408', {
      retryable: true,
    });
    assert.deepEqual([timeout.category, timeout.retryable], ['user', true]);
  });

  test("a code of someone else's choosing carries the category it was raised with", () => {
    const authored = CrossdockError.foreign('STOCK_SHORT', 'Only 2 on hand', { category: 'user' });
    assert.deepEqual(
      [authored.code, authored.category, authored.retryable, httpStatusOf(authored)],
      ['STOCK_SHORT', 'user', false, 400],
    );
    assert.equal(Object.hasOwn(ERROR_CODES, 'STOCK_SHORT'), false);
  });
});

describe('the CLI raises an API answer again as the server raised it', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((request, response) => {
      const answers: Record<string, [number, unknown]> = {
        '/locked': [
          503,
          {
            error: {
              code: 'STORE_LOCKED',
              message: 'Another process holds the data directory',
              details: [],
              requestId: 'r1',
            },
          },
        ],
        '/newer': [
          503,
          {
            error: {
              code: 'SOMETHING_NEWER',
              message: 'A code of a newer Crossdock',
              details: [],
              requestId: 'r2',
            },
          },
        ],
        '/bare': [502, 'Bad gateway'],
      };
      const [status, body] = answers[request.url ?? ''] ?? [404, {}];
      response.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a registry code keeps its registry category, whatever the HTTP status', async () => {
    await assert.rejects(apiClient(base, 'cdx_test')('GET', '/locked'), {
      code: 'STORE_LOCKED',
      category: 'user',
      retryable: false,
    });
  });

  test('a code this CLI does not know keeps its code; its category comes from the status', async () => {
    await assert.rejects(apiClient(base, 'cdx_test')('GET', '/newer'), {
      code: 'SOMETHING_NEWER',
      category: 'transient',
      retryable: true,
    });
  });

  test('an answer without a code is API_ERROR, worth retrying when the server failed', async () => {
    await assert.rejects(apiClient(base, 'cdx_test')('GET', '/bare'), {
      code: 'API_ERROR',
      message: 'HTTP 502',
      retryable: true,
    });
  });
});
