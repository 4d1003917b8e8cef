import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { evaluateExpression } from '../../src/workflows/index.ts';

const LIMITS = { timeoutMs: 300, maxDepth: 2_000, maxItems: 10_000, maxOutputBytes: 64 * 1024 };
// Catastrophic backtracking: seconds to minutes inside one native call, where no step check runs.
const BACKTRACKING = '$match(text, /(a+)+$/)';

describe('expressions that can run long inside one call are evaluated where they can be stopped', () => {
  test('a backtracking regular expression is stopped with EXPRESSION_LIMIT_EXCEEDED, and the event loop is not held meanwhile', async () => {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      await assert.rejects(
        evaluateExpression(
          BACKTRACKING,
          { text: `${'a'.repeat(40)}!` },
          { limits: LIMITS, where: 'steps[1].with.ref' },
        ),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'EXPRESSION_LIMIT_EXCEEDED');
          assert.match(error.message, /steps\[1\]\.with\.ref ran longer than 300 ms/);
          return true;
        },
      );
    } finally {
      clearInterval(ticker);
      loop.disable();
    }
    assert.ok(ticks > 5, `timers kept firing (${ticks})`);
    assert.ok(loop.max / 1e6 < 250, `event loop held for ${(loop.max / 1e6).toFixed(0)} ms`);
  });

  test('after a stopped one, regular expressions evaluate normally (in a fresh worker)', async () => {
    assert.deepEqual(
      await evaluateExpression('$match(text, /b+/).match', { text: 'abbbc' }, { limits: LIMITS }),
      'bbb',
    );
    assert.equal(
      await evaluateExpression(
        '$replace(text, /[0-9]+/, "#")',
        { text: 'SO1234' },
        { limits: LIMITS },
      ),
      'SO#',
    );
  });
});

describe('the isolation worker script', () => {
  // Test runs start a bundled copy of the worker (scripts/bundle-tests.mjs); the product
  // starts this script, beside the compiled modules or beside the sources.
  for (const [where, script] of [
    [
      'compiled (dist/, as `crossdock` runs it; `npm run build` makes it)',
      '../../dist/src/workflows/expression-worker.mjs',
    ],
    ['beside the sources (through tsx)', '../../src/workflows/expression-worker.mjs'],
  ] as const) {
    test(`starts ${where} and evaluates a regular expression`, async () => {
      const worker = new Worker(new URL(script, import.meta.url));
      try {
        const replies: unknown[] = [];
        await new Promise<void>((resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (reply: { ready?: boolean }) => {
            replies.push(reply);
            if (reply.ready)
              worker.postMessage({
                id: 1,
                source: '$match(text, /b+/).match',
                context: { text: 'abbbc' },
                limits: LIMITS,
              });
            else resolve();
          });
        });
        assert.deepEqual(replies, [{ ready: true }, { id: 1, value: 'bbb' }]);
      } finally {
        await worker.terminate();
      }
    });
  }
});

/** Holds this thread for `ms`, as a long synchronous query or another run's step would. */
function holdThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else in this process runs meanwhile
  }
}

describe('a timeout is charged to the expression, not to a busy process', () => {
  test('an evaluation that waited for the process longer than its limit completes, with its value', async () => {
    const context = {
      order: {
        lines: [
          { qty: 2, price: 10 },
          { qty: 1, price: 5.5 },
        ],
      },
    };
    // The evaluation starts, then this thread is busy past the limit before its next step.
    const pending = evaluateExpression('$sum(order.lines.(qty * price))', context, {
      limits: LIMITS,
      where: 'steps[0].with.total',
    });
    holdThread(LIMITS.timeoutMs + 200);
    assert.equal(await pending, 25.5);
  });

  test('a real runaway still ends with EXPRESSION_LIMIT_EXCEEDED for its time', async () => {
    const runaway = '($f := function($n) { $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40))';
    await assert.rejects(
      evaluateExpression(
        runaway,
        {},
        { limits: { ...LIMITS, maxDepth: 100_000 }, where: 'steps[2].with.n' },
      ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EXPRESSION_LIMIT_EXCEEDED');
        assert.match(error.message, /steps\[2\]\.with\.n ran longer than 300 ms/);
        return true;
      },
    );
  });
});
