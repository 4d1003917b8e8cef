/**
 * The one webhook verifier (src/triggers/verify.ts), as each door uses it: webhook sources
 * (Crossdock's timestamped scheme, a provider's header HMAC, a path token), Odoo hints (a
 * path token, two during a rotation) and carrier hooks (an HMAC of the body or of
 * "<timestamp>.<body>", hex or base64).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { CrossdockError, httpStatusOf } from '../../src/errors/index.ts';
import {
  signTimestamped,
  verifyBodyHmac,
  verifyHeaderHmac,
  verifyPathToken,
  verifyTimestamped,
  webhookRefused,
  type Verdict,
} from '../../src/triggers/index.ts';

const SECRET = 'a-webhook-secret-of-some-length';
const BODY = Buffer.from('{"id":"EV-1","status":"delayed"}');
const NOW_MS = Date.parse('2026-01-05T08:00:00Z');
const T = String(NOW_MS / 1000);
const hmac = (text: string) => createHmac('sha256', SECRET).update(text);
const outcome = (v: Verdict) => (v.ok ? 'ok' : v.code);

describe('the webhook verifier', () => {
  test("Crossdock's timestamped scheme: a rotation's two signatures, a stale or forged one", () => {
    const header = signTimestamped(SECRET, Number(T), BODY);
    assert.deepEqual(verifyTimestamped(header, BODY, SECRET, NOW_MS, 300), {
      ok: true,
      replayKey: header.split('v1=')[1],
    });
    assert.equal(
      outcome(
        verifyTimestamped(
          `t=${T},v1=${'0'.repeat(64)},${header.split(',')[1]}`,
          BODY,
          SECRET,
          NOW_MS,
          300,
        ),
      ),
      'ok',
      'one v1 of several matches',
    );
    assert.equal(
      outcome(verifyTimestamped(header, BODY, SECRET, NOW_MS + 301_000, 300)),
      'HOOK_TIMESTAMP_STALE',
    );
    assert.equal(
      outcome(verifyTimestamped(header, Buffer.from('{}'), SECRET, NOW_MS + 301_000, 300)),
      'HOOK_SIGNATURE_INVALID',
      'forged, not stale',
    );
    assert.equal(
      outcome(verifyTimestamped(undefined, BODY, SECRET, NOW_MS, 300)),
      'HOOK_SIGNATURE_MISSING',
    );
  });

  test('an HMAC of the body in a header: hex, "sha256=<hex>" or base64 as the sender says', () => {
    const hex = hmac(BODY.toString()).digest('hex');
    const base64 = hmac(BODY.toString()).digest('base64');
    for (const given of [hex, `sha256=${hex}`, base64])
      assert.equal(outcome(verifyHeaderHmac(given, BODY, SECRET)), 'ok', given);
    assert.equal(
      outcome(verifyBodyHmac(BODY, SECRET, { value: base64, header: 'x-hmac', encoding: 'hex' })),
      'HOOK_SIGNATURE_INVALID',
    );
    assert.equal(
      outcome(verifyBodyHmac(BODY, SECRET, { value: hex, header: 'x-hmac', encoding: 'base64' })),
      'HOOK_SIGNATURE_INVALID',
    );
    assert.equal(
      outcome(verifyHeaderHmac(hex, Buffer.from('{"id":"EV-2"}'), SECRET)),
      'HOOK_SIGNATURE_INVALID',
    );
    assert.deepEqual(
      verifyBodyHmac(BODY, SECRET, { value: undefined, header: 'x-hmac', encoding: 'hex' }),
      {
        ok: false,
        code: 'HOOK_SIGNATURE_MISSING',
        message: 'The x-hmac header is missing (or repeated)',
      },
    );
  });

  test('an HMAC of "<timestamp>.<body>" with the timestamp in a header of its own', () => {
    const stamp = (value: string | undefined, nowMs = NOW_MS) => ({
      value,
      header: 'x-time',
      toleranceS: 300,
      nowMs,
    });
    const signature = hmac(`${T}.${BODY.toString()}`).digest('hex');
    const check = (value: string | undefined, timestamp: ReturnType<typeof stamp>) =>
      outcome(verifyBodyHmac(BODY, SECRET, { value, header: 'x-sig', encoding: 'hex', timestamp }));
    assert.equal(check(signature, stamp(T)), 'ok');
    assert.equal(
      check(signature, stamp(String(Number(T) + 1))),
      'HOOK_SIGNATURE_INVALID',
      'the timestamp is signed',
    );
    assert.equal(check(signature, stamp(undefined)), 'HOOK_SIGNATURE_MISSING');
    assert.equal(check(signature, stamp('yesterday')), 'HOOK_SIGNATURE_INVALID');
    assert.equal(check(signature, stamp(T, NOW_MS - 301_000)), 'HOOK_TIMESTAMP_STALE');
  });

  test('a path token must be one of those accepted now', () => {
    assert.equal(
      outcome(verifyPathToken('current-token', ['current-token', 'previous-token'])),
      'ok',
    );
    assert.equal(
      outcome(verifyPathToken('previous-token', ['current-token', 'previous-token'])),
      'ok',
    );
    assert.equal(
      outcome(verifyPathToken('previous-token', ['current-token'])),
      'HOOK_UNAUTHORIZED',
    );
    assert.equal(outcome(verifyPathToken('current-tokem', 'current-token')), 'HOOK_UNAUTHORIZED');
    assert.equal(outcome(verifyPathToken(undefined, 'current-token')), 'HOOK_UNAUTHORIZED');
  });

  test('every refusal is one error: a 401 with the code and message of the verdict', () => {
    const refusal = verifyPathToken('wrong', 'right');
    assert.ok(!refusal.ok);
    const error = webhookRefused(refusal);
    assert.ok(error instanceof CrossdockError);
    assert.deepEqual(
      [error.code, error.message, error.category, error.retryable, httpStatusOf(error)],
      ['HOOK_UNAUTHORIZED', 'Unknown source or wrong token', 'user', false, 401],
    );
  });
});
