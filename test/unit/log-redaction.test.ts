import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, redactKeys } from '../../src/observability/index.ts';

/** A logger at trace level whose lines are kept, parsed. */
function captured() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination: sink }), lines };
}

test('a sensitive key is censored at the top of a line and one or two levels down, arrays included', () => {
  const { logger, lines } = captured();
  const given = {
    password: 'pw-top',
    call: { token: 'tok-1', url: 'http://127.0.0.1/x' },
    request: { headers: { authorization: 'Bearer abc', accept: 'json' } },
    users: [{ email: 'a@example.com', password: 'pw-in-array' }],
    deep: { a: { b: { secret: 'three levels down' } } },
  };
  logger.info(given, 'calling');
  const line = lines[0]!;
  assert.equal(line.password, '[redacted]');
  assert.deepEqual(line.call, { token: '[redacted]', url: 'http://127.0.0.1/x' });
  assert.deepEqual(line.request, { headers: { authorization: '[redacted]', accept: 'json' } });
  assert.deepEqual(line.users, [{ email: 'a@example.com', password: '[redacted]' }]);
  // Beyond two levels, as before: the key list is for what the code logs, not a data scanner.
  assert.deepEqual(line.deep, { a: { b: { secret: 'three levels down' } } });
  assert.equal(line.msg, 'calling');
  // The caller's object is left as it was.
  assert.equal(given.password, 'pw-top');
  assert.equal(given.request.headers.authorization, 'Bearer abc');
  assert.equal(given.users[0]!.password, 'pw-in-array');
});

test("a child logger's bindings are censored too", () => {
  const { logger, lines } = captured();
  const worker = logger.child({ worker: 'w1', apiKey: 'k-123' });
  worker.info({ cookie: 'sid=1' }, 'bound');
  assert.equal(lines[0]!.worker, 'w1');
  assert.equal(lines[0]!.apiKey, '[redacted]');
  assert.equal(lines[0]!.cookie, '[redacted]');
  // A child of a child keeps both bindings, each censored.
  worker.child({ run: '7', call: { secret: 's-1' } }).info('nested');
  assert.equal(lines[1]!.worker, 'w1');
  assert.equal(lines[1]!.apiKey, '[redacted]');
  assert.equal(lines[1]!.run, '7');
  assert.deepEqual(lines[1]!.call, { secret: '[redacted]' });
});

test('an error still logs with its message and stack, a sensitive field of it censored', () => {
  const { logger, lines } = captured();
  const failure = Object.assign(new Error('the carrier hung up'), { token: 'tok-in-error' });
  logger.error({ err: failure }, 'failed');
  const err = lines[0]!.err as { type: string; message: string; stack: string; token: string };
  assert.equal(err.type, 'Error');
  assert.equal(err.message, 'the carrier hung up');
  assert.match(err.stack, /the carrier hung up/);
  assert.equal(err.token, '[redacted]');
  assert.equal(failure.token, 'tok-in-error');
});

test('a line with nothing to censor is logged as given, not copied', () => {
  const line = { runId: '42', workflow: 'dispatch', step: { id: 'book', attempt: 1 } };
  assert.equal(redactKeys(line), line);
  const bytes = Buffer.from('password');
  assert.equal(redactKeys({ bytes }).bytes, bytes);
});
