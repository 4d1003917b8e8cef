/**
 * Valid JSON the store cannot hold (U+0000 in a string or a property name, an unpaired
 * surrogate, nesting far past the limit) is refused with 400, a stable code and the JSON path,
 * by every ingress alike, and nothing is stored. Up to the documented 64 levels is accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/store/index.ts';
import { startIngress, type Answer, type Ingress } from './ingress-support.ts';

/** `levels` nested arrays around 1, as JSON text (built without recursion). */
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

describe('hostile JSON at every ingress', () => {
  let x: Ingress;
  before(async () => {
    x = await startIngress();
  });
  after(() => x.close());

  /** The same hostile value (JSON text) through each door, with where each door names it. */
  const doors = (value: string, n: number): [string, () => Promise<Answer>, string][] => [
    [
      'api',
      () => x.api(`{"source":"shop2","type":"t","key":"api-${n}","payload":{"v":${value}}}`),
      'payload.v',
    ],
    [
      'webhook',
      () => x.hook(`{"type":"t","key":"hook-${n}","payload":{"v":${value}}}`),
      'body.payload.v',
    ],
    [
      'odoo',
      () => x.odoo(`{"_model":"sale.order","_id":${n},"_action":"write","v":${value}}`),
      'body.v',
    ],
    [
      'carrier',
      () =>
        x.carrier(
          `{"id":"EV-${n}","tracking_ref":"T-${n}","status":"delayed","at":"2026-01-05T07:59:00Z","v":${value}}`,
        ),
      'body.v',
    ],
    [
      'cli',
      () => x.cli(`{"source":"shop2","type":"t","key":"cli-${n}","payload":{"v":${value}}}`),
      'payload.v',
    ],
  ];

  const refusedEverywhere = async (
    value: string,
    code: string,
    pathOf: (base: string) => string,
    n: number,
  ) => {
    const before = await x.count('events');
    for (const [door, send, base] of doors(value, n)) {
      const answer = await send();
      assert.equal(answer.status, 400, `${door}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, code, door);
      assert.deepEqual(
        answer.body.error.details.map((d: { path: string }) => d.path),
        [pathOf(base)],
        door,
      );
    }
    assert.equal(await x.count('events'), before, 'nothing stored');
  };

  test('a \\u0000 inside a string: 400 JSON_UNSTORABLE at its path', async () => {
    await refusedEverywhere('"a\\u0000b"', 'JSON_UNSTORABLE', (p) => p, 100);
    await refusedEverywhere('{"na\\u0000me":1}', 'JSON_UNSTORABLE', (p) => p, 101); // in a property name
  });

  test('a lone surrogate (either half): 400 JSON_UNSTORABLE at its path', async () => {
    await refusedEverywhere('["ok","x\\ud800"]', 'JSON_UNSTORABLE', (p) => `${p}[1]`, 200);
    await refusedEverywhere('"\\udc00 tail"', 'JSON_UNSTORABLE', (p) => p, 201);
  });

  test('10,000 levels of nesting: 400 JSON_TOO_DEEP, no stack overflow', async () => {
    const depthOfV = (base: string) => (base.startsWith('body.payload') ? 2 : 1); // levels above v: body, payload
    for (const [door, send, base] of doors(nested(10_000), 300)) {
      const answer = await send();
      assert.equal(answer.status, 400, door);
      assert.equal(answer.body.error.code, 'JSON_TOO_DEEP', door);
      const levelsAboveV = depthOfV(base);
      assert.equal(
        answer.body.error.details[0].path,
        `${base}${'[0]'.repeat(MAX_JSON_DEPTH - levelsAboveV)}`,
        door,
      );
    }
  });

  test('a payload exactly at the limit is stored and reads back the same; one level more is refused', async () => {
    // payload { v: [[...1...]] }: the payload is level 1, so v may hold 63 levels.
    const atLimit = nested(MAX_JSON_DEPTH - 1);
    const ok = await x.api(
      `{"source":"shop2","type":"t","key":"deep-ok","payload":{"v":${atLimit}}}`,
    );
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const shown = (await fetch(`${x.base}/api/v1/events/${ok.body.eventId}`, {
      headers: { authorization: `Bearer ${x.admin}` },
    }).then((r) => r.json())) as { payload: { v: unknown } };
    assert.equal(JSON.stringify(shown.payload.v), atLimit);
    const over = await x.api(
      `{"source":"shop2","type":"t","key":"deep-over","payload":{"v":${nested(MAX_JSON_DEPTH)}}}`,
    );
    assert.equal(over.status, 400);
    assert.equal(over.body.error.code, 'JSON_TOO_DEEP');
    // Text the store can hold (other control characters, paired surrogates) goes through unchanged.
    const fine = await x.api(
      `{"source":"shop2","type":"t","key":"fine","payload":{"v":"tab\\t bell\\u0007 \\ud83d\\ude00"}}`,
    );
    assert.equal(fine.status, 202, JSON.stringify(fine.body));
  });
});
