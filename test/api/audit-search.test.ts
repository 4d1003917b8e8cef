import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../support/engine.ts';
import { startTestApi, type TestApi } from './support.ts';

const START_MS = Date.parse('2026-05-04T08:00:00Z');
const minute = (n: number) => new Date(START_MS + n * 60_000).toISOString();

/** Who did the i-th entry, and on what: a run, an approval, or a user. */
function entry(i: number) {
  const actor =
    i % 3 === 0
      ? 'user:3 Ana@Example.com'
      : i % 3 === 1
        ? 'token:7 ci (user:3 ana@example.com)'
        : 'system';
  if (i % 5 === 0)
    return { actor, action: 'approval.approve', target: `approval:${i % 2 === 0 ? 12 : 120}` };
  if (i % 5 === 1) return { actor, action: 'user.create', target: `user:${i}` };
  return { actor, action: 'run.replay', target: `run:${i}` };
}

describe('GET /api/v1/audit: newest first, keyset pages both ways, search', () => {
  let h: TestApi;
  const clock = new ManualClock(minute(0));
  let auditor = '';
  /** Every entry in the log, oldest first, as the log itself lists them. */
  const all: { seq: number; at: string; actor: string; action: string; target: string | null }[] =
    [];

  const get = async (query: string) => {
    const answer = await h.request('GET', `/api/v1/audit?${query}`, { token: auditor });
    assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
    return answer.body as {
      order: string;
      entries: typeof all;
      older: number | null;
      newer: number | null;
      next: number | null;
    };
  };
  /** Newest first: follows `older` from the first page to the last, then `newer` back up; returns both walks' pages. */
  const walk = async (filter: string, limit: number) => {
    const base = [filter, 'order=desc', `limit=${limit}`].filter(Boolean).join('&');
    const down: number[][] = [];
    let page = await get(base);
    assert.equal(page.newer, null, 'nothing is newer than the first page');
    for (;;) {
      down.push(page.entries.map((e) => e.seq));
      if (page.older === null) break;
      page = await get(`${base}&before=${page.older}`);
    }
    const up: number[][] = [];
    let back = page;
    while (back.newer !== null) {
      back = await get(`${base}&after=${back.newer}`);
      up.push(back.entries.map((e) => e.seq));
    }
    return { down, up };
  };

  before(async () => {
    h = await startTestApi({ engine: { clock } });
    auditor = await h.tokenFor('auditor');
    for (let i = 1; i <= 250; i++) {
      clock.advance(60_000);
      await h.services.audit.append({ ...entry(i), details: { i } });
    }
    for await (const e of h.services.audit.entries()) all.push(e);
    assert.ok(all.length >= 250);
  });
  after(() => h.close());

  test('newest first by default; 250 entries in pages of 40 both ways, with no gap and no repeat', async () => {
    const first = await get('limit=40');
    assert.equal(first.order, 'desc');
    assert.deepEqual(
      first.entries.map((e) => e.seq),
      all
        .slice(-40)
        .map((e) => e.seq)
        .reverse(),
    );
    const { down, up } = await walk('', 40);
    assert.deepEqual(
      down.flat(),
      all.map((e) => e.seq).reverse(),
      'every entry once, newest to oldest',
    );
    assert.deepEqual(
      down.map((p) => p.length),
      [40, 40, 40, 40, 40, 40, all.length - 240],
    );
    // Going back up from the last page shows the same entries, in pages that end where the first walk began.
    assert.deepEqual(
      [...up].reverse().flat(),
      all
        .map((e) => e.seq)
        .reverse()
        .slice(0, all.length - down.at(-1)!.length),
    );
    assert.deepEqual(up.at(-1), down[0], 'and the walk back up ends on the first page');
  });

  test('oldest first: order=asc pages forward with newer (and next, as callers of `after` paging use it)', async () => {
    const seen: number[] = [];
    let page = await get('order=asc&limit=100');
    assert.equal(page.older, null);
    for (;;) {
      seen.push(...page.entries.map((e) => e.seq));
      assert.equal(page.next, page.newer);
      if (page.newer === null) break;
      page = await get(`order=asc&limit=100&after=${page.newer}`);
    }
    assert.deepEqual(
      seen,
      all.map((e) => e.seq),
    );
    const legacy = await get('after=0&limit=100');
    assert.equal(legacy.order, 'asc', 'after alone lists oldest first, as it always did');
    assert.deepEqual(
      legacy.entries.map((e) => e.seq),
      all.slice(0, 100).map((e) => e.seq),
    );
    assert.equal(legacy.next, all[99]!.seq);
    assert.equal(legacy.older, null);
  });

  test('target: exact, or a prefix ending in ":" or "*"', async () => {
    const exact = await get('target=approval:12&limit=1000');
    assert.ok(exact.entries.length > 0);
    assert.deepEqual(
      exact.entries.map((e) => e.seq),
      all
        .filter((e) => e.target === 'approval:12')
        .map((e) => e.seq)
        .reverse(),
      'approval:120 is not approval:12',
    );
    const kind = await get('target=approval:&limit=1000');
    assert.deepEqual(
      kind.entries.map((e) => e.seq),
      all
        .filter((e) => e.target?.startsWith('approval:'))
        .map((e) => e.seq)
        .reverse(),
    );
    assert.ok(kind.entries.some((e) => e.target === 'approval:120'));
    const star = await get('target=run:1*&limit=1000');
    assert.deepEqual(
      star.entries.map((e) => e.target).sort(),
      all
        .filter((e) => e.target?.startsWith('run:1'))
        .map((e) => e.target)
        .sort(),
    );
    // A search pages like the whole log does.
    const { down, up } = await walk('target=run:', 7);
    const runs = all
      .filter((e) => e.target?.startsWith('run:'))
      .map((e) => e.seq)
      .reverse();
    assert.deepEqual(down.flat(), runs);
    assert.deepEqual([...up].reverse().flat(), runs.slice(0, runs.length - down.at(-1)!.length));
  });

  test('actor: text it contains, in any case; action prefixes as before', async () => {
    const ana = await get('actor=ANA@example&limit=1000');
    assert.deepEqual(
      ana.entries.map((e) => e.seq),
      all
        .filter((e) => e.actor.toLowerCase().includes('ana@example'))
        .map((e) => e.seq)
        .reverse(),
    );
    assert.deepEqual(
      new Set(ana.entries.map((e) => e.actor)),
      new Set(['user:3 Ana@Example.com', 'token:7 ci (user:3 ana@example.com)']),
    );
    const exact = await get('actor=system&action=run&limit=1000');
    assert.deepEqual(
      exact.entries.map((e) => e.seq),
      all
        .filter((e) => e.actor === 'system' && e.action.startsWith('run.'))
        .map((e) => e.seq)
        .reverse(),
    );
  });

  test('time: from (inclusive) to (exclusive), combined with other filters', async () => {
    const range = await get(`from=${minute(10)}&to=${minute(20)}&limit=1000`);
    assert.deepEqual(
      range.entries.map((e) => e.at),
      Array.from({ length: 10 }, (_, i) => minute(19 - i)),
    );
    const runsInRange = await get(`from=${minute(10)}&to=${minute(20)}&target=run:&order=asc`);
    assert.deepEqual(
      runsInRange.entries.map((e) => e.target),
      ['run:12', 'run:13', 'run:14', 'run:17', 'run:18', 'run:19'],
    );
  });

  test('a bad search is refused naming the field', async () => {
    for (const [query, path] of [
      ['after=3&before=9', 'query.before'],
      [`from=${minute(20)}&to=${minute(10)}`, 'query.to'],
      ['order=sideways', 'query.order'],
      ['from=yesterday', 'query.from'],
      ['target=', 'query.target'],
    ] as const) {
      const answer = await h.request('GET', `/api/v1/audit?${query}`, { token: auditor });
      assert.equal(answer.status, 400, query);
      assert.deepEqual(
        answer.body.error.details.map((d: { path: string }) => d.path),
        [path],
        query,
      );
    }
  });
});
