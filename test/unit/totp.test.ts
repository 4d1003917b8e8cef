/**
 * The TOTP arithmetic against the published test vectors: RFC 4226 appendix D (HOTP,
 * six digits) and RFC 6238 appendix B (TOTP, SHA-1, eight digits, 30 s), and the shape of
 * what an authenticator app is given.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchingStep,
  newTotpSecret,
  otpauthUri,
  timeStep,
  totpAt,
} from '../../src/auth/totp.ts';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238 over RFC 4226, SHA-1)', () => {
  test('HOTP gives the RFC 4226 codes for counters 0 to 9', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    assert.deepEqual(
      expected.map((_, counter) => hotp(RFC_SECRET, counter)),
      expected,
    );
  });

  test('TOTP gives the RFC 6238 SHA-1 codes at the published times', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1_111_111_109, '07081804'],
      [1_111_111_111, '14050471'],
      [1_234_567_890, '89005924'],
      [2_000_000_000, '69279037'],
      [20_000_000_000, '65353130'],
    ];
    for (const [seconds, code] of vectors)
      assert.equal(
        hotp(RFC_SECRET, timeStep(new Date(seconds * 1000)), 8),
        code,
        `at ${seconds} s`,
      );
    // Six digits, as authenticator apps show them: the last six of the same number.
    assert.equal(totpAt(RFC_SECRET, new Date(59_000)), '287082');
  });

  test('a code matches its own step and one step either side, not two', () => {
    const secret = newTotpSecret();
    const at = new Date('2026-03-02T09:00:15Z');
    const step = timeStep(at);
    const code = (s: number) => hotp(secret, s);
    assert.equal(matchingStep(secret, code(step), at), step);
    assert.equal(matchingStep(secret, code(step - 1), at), step - 1);
    assert.equal(matchingStep(secret, code(step + 1), at), step + 1);
    assert.equal(matchingStep(secret, code(step - 2), at), null);
    assert.equal(matchingStep(secret, code(step + 2), at), null);
    assert.equal(matchingStep(secret, '12345', at), null, 'five digits are not a code');
    assert.equal(matchingStep(secret, 'abcdef', at), null);
  });

  test('secrets are 160 bits, round-trip through base32, and go into an otpauth URI', () => {
    const secret = newTotpSecret();
    assert.equal(secret.length, 20);
    const text = base32Encode(secret);
    assert.match(text, /^[A-Z2-7]{32}$/);
    assert.deepEqual(base32Decode(text), secret);
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI', 'RFC 4648 test vector');
    const uri = new URL(
      otpauthUri({ issuer: 'Crossdock', account: 'fiona@acme.test', secret: text }),
    );
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Crossdock:fiona@acme.test');
    assert.deepEqual(Object.fromEntries(uri.searchParams), {
      secret: text,
      issuer: 'Crossdock',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
