/**
 * Same key, changed payload. Through every ingress: the same payload again (in any key
 * order) is a duplicate; another payload is a key conflict: 200 with `conflict: true`, the
 * original stands and nothing starts, the payload is recorded once (repeats counted), the
 * metric counts it, GET /api/v1/events/conflicts (the dashboard's panel) shows it, and an
 * exception case opens unless the source's policy says record only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startIngress, type Answer, type Ingress } from './ingress-support.ts';

const FLOW = `
id: on-anything
trigger: { event: "t*" }
steps:
  - id: note
    type: transform
    with: { v: "= input" }
`;

describe('key conflicts at every ingress', () => {
  let x: Ingress;
  const get = async (path: string) =>
    (
      await fetch(`${x.base}${path}`, { headers: { authorization: `Bearer ${x.admin}` } })
    ).json() as Promise<any>;

  before(async () => {
    // shop2 (an API source) only records its conflicts; the others open a case (the default).
    x = await startIngress({
      workflows: [FLOW],
      env: { CROSSDOCK_KEY_CONFLICT_RECORD_ONLY: 'shop2' },
    });
  });
  after(() => x.close());

  /** Each door with a payload builder: the same key, payload `p` (an object), as that door's body. */
  const doors: [string, string, (p: Record<string, unknown>) => Promise<Answer>][] = [
    [
      'api',
      'shop2',
      (p) => x.api(JSON.stringify({ source: 'shop2', type: 't', key: 'K-1', payload: p })),
    ],
    [
      'cli',
      'feed',
      (p) => x.cli(JSON.stringify({ source: 'feed', type: 't', key: 'K-1', payload: p })),
    ],
    ['webhook', 'shop', (p) => x.hook(JSON.stringify({ type: 't', key: 'K-1', payload: p }))],
    [
      'odoo',
      'odoo',
      (p) =>
        x.odoo(
          JSON.stringify({
            _model: 'sale.order',
            _id: 7,
            _action: 'write',
            write_date: '2026-01-05 08:00:00',
            ...p,
          }),
        ),
    ],
    [
      'carrier',
      'carrier.swift',
      (p) =>
        x.carrier(
          JSON.stringify({
            id: 'EV-1',
            tracking_ref: 'T-1',
            status: 'delayed',
            at: '2026-01-05T07:59:00Z',
            ...p,
          }),
        ),
    ],
  ];

  test('the same payload in another key order is a duplicate; another payload is a recorded conflict', async () => {
    for (const [door, source, send] of doors) {
      const first = await send({ reason: 'storm', n: 1 });
      assert.equal(
        first.status,
        door === 'odoo' ? 200 : 202,
        `${door}: ${JSON.stringify(first.body)}`,
      ); // Odoo's hint route always answers 200
      assert.equal(first.body.duplicate, false);
      const runsBefore = await x.count('runs');
      const reordered = await send({ n: 1, reason: 'storm' });
      assert.equal(reordered.status, 200, door);
      assert.deepEqual(
        [reordered.body.duplicate, reordered.body.conflict, reordered.body.eventId],
        [true, false, first.body.eventId],
        `${door}: key order does not matter`,
      );
      const changed = await send({ reason: 'sun', n: 1 });
      assert.equal(changed.status, 200, door);
      assert.deepEqual(
        [changed.body.duplicate, changed.body.conflict, changed.body.eventId],
        [false, true, first.body.eventId],
        `${door}: a conflict`,
      );
      assert.equal(
        (await send({ n: 1, reason: 'sun' })).body.conflict,
        true,
        `${door}: the same changed payload again`,
      );
      assert.equal(await x.count('runs'), runsBefore, `${door}: a conflict starts nothing`);
      const listed = await get(`/api/v1/events/conflicts?source=${source}`);
      assert.equal(listed.total, 1, `${door}: one record per distinct payload`);
      assert.equal(listed.deliveries, 2, `${door}: its deliveries counted`);
      const [c] = listed.conflicts;
      assert.deepEqual([c.eventId, c.door, c.source], [first.body.eventId, door, source]);
      assert.notEqual(c.payloadHash, c.originalPayloadHash);
      const original = await get(`/api/v1/events/${first.body.eventId}`);
      assert.equal(
        JSON.stringify(original.payload).includes('storm'),
        true,
        `${door}: the original payload stands`,
      );
      assert.equal(
        JSON.stringify(c.payload).includes('sun'),
        true,
        `${door}: the conflicting payload is kept`,
      );
      assert.equal(c.caseId === null, source === 'shop2', `${door}: a case by source policy`);
    }
    const metrics = await (
      await fetch(`${x.base}/metrics`, { headers: { authorization: `Bearer ${x.admin}` } })
    ).text();
    for (const [, source] of doors)
      assert.match(
        metrics,
        new RegExp(
          `crossdock_event_key_conflicts_total\\{source="${source.replace('.', '\\.')}"\\} 2`,
        ),
      );
    const cases = await get('/api/v1/exceptions?type=event_conflict&limit=50');
    assert.equal(
      cases.cases.length,
      doors.length - 1,
      'one case per conflict of the sources that open cases',
    );
    assert.ok(
      cases.cases.every(
        (k: { errorCode: string; status: string }) =>
          k.errorCode === 'EVENT_KEY_CONFLICT' && k.status === 'open',
      ),
    );
    const all = await get('/api/v1/events/conflicts');
    assert.deepEqual(
      [all.total, all.openCases],
      [doors.length, doors.length - 1],
      'the totals the dashboard shows',
    );
  });

  test('a webhook source set to record only opens no case; two different payloads at once: one event, one conflict', async () => {
    const changed = await fetch(`${x.base}/api/v1/sources/shop`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${x.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ keyConflict: 'record' }),
    });
    assert.equal(changed.status, 200);
    assert.equal(((await changed.json()) as { keyConflict: string }).keyConflict, 'record');
    const send = (p: unknown) => x.hook(JSON.stringify({ type: 't', key: 'K-2', payload: p }));
    const answers = await Promise.all([send({ a: 1 }), send({ a: 2 })]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 202]);
    assert.equal(new Set(answers.map((a) => a.body.eventId)).size, 1);
    assert.deepEqual(answers.map((a) => a.body.conflict).sort(), [false, true]);
    // The conflict is recorded even when both met in one intake batch (a second pass records it).
    const listed = await waitFor(async () =>
      (await get('/api/v1/events/conflicts?source=shop')).conflicts.filter(
        (c: { key: string }) => c.key === 'K-2',
      ),
    );
    assert.equal(listed.length, 1);
    assert.equal(listed[0].caseId, null, 'record only: no case');
  });
});

/** Polls a condition that a background pass makes true (the second intake pass), bounded. */
async function waitFor<T extends unknown[]>(read: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value.length > 0 || Date.now() > deadline) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
