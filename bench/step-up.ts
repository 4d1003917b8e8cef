/**
 * What a second factor costs a decision: the same approval decided at a plain level and at
 * a `step_up: true` level (the code checked and spent under the approver's row lock, in the
 * decision's transaction), on the store the tests use (PGlite, or CROSSDOCK_TEST_STORE).
 * Prints the median and p90 of `decide()` in ms for each, and their ratio.
 *
 *   node --import tsx bench/step-up.ts [decisions per kind, default 40]
 */
import { base32Decode, totpAt } from '../src/auth/index.ts';
import { harness, review } from '../test/approvals/support.ts';

const N = Number(process.argv[2] ?? 40);
const h = await harness();
try {
  const fiona = h.people['fiona@acme.test']!;
  const started = await h.totp.start(fiona.userId, fiona.email);
  const secret = base32Decode(started.secret);
  await h.totp.confirm(fiona.userId, totpAt(secret, h.clock.now()));
  const times: Record<'plain' | 'step-up', number[]> = { plain: [], 'step-up': [] };
  // Alternated, so both kinds see the same store state and machine load.
  for (let i = 0; i < N; i++) {
    for (const kind of ['plain', 'step-up'] as const) {
      const { requestId } = await review(h, {
        tier: kind === 'plain' ? 'finance+director' : 'write-off',
      });
      h.clock.advance(30_000); // a fresh code for each step-up decision
      const proof = kind === 'plain' ? {} : { code: totpAt(secret, h.clock.now()) };
      const t0 = performance.now();
      await h.approvals.decide(requestId, fiona, 'approve', null, 'api', proof);
      times[kind].push(performance.now() - t0);
    }
  }
  const stat = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return {
      p50: sorted[Math.floor(sorted.length / 2)]!,
      p90: sorted[Math.floor(sorted.length * 0.9)]!,
    };
  };
  const plain = stat(times.plain);
  const stepUp = stat(times['step-up']);
  console.log(`decisions per kind: ${N}`);
  console.log(`plain    p50 ${plain.p50.toFixed(2)} ms  p90 ${plain.p90.toFixed(2)} ms`);
  console.log(`step-up  p50 ${stepUp.p50.toFixed(2)} ms  p90 ${stepUp.p90.toFixed(2)} ms`);
  console.log(`ratio (step-up / plain) p50 ${(stepUp.p50 / plain.p50).toFixed(2)}`);
} finally {
  await h.close();
}
