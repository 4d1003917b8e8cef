/**
 * The queue as an operator filters and pages it; assignment and comments in the history
 * and the audit log; the list stays on its indexes with 100k cases; the error codes are
 * documented.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ERROR_CODES, isErrorCode } from '../../src/errors/index.ts';
import { HOUR_MS } from '../../src/exceptions/model.ts';
import { startHarness, type Harness } from './support.ts';

describe('the exception queue: filters, pagination, assignment, comments', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  before(async () => {
    h = await startHarness();
    const open = (key: string, input: Record<string, unknown>) =>
      h.exceptions
        .openCase({ title: key, key, ...input }, { actor: 'schedule:checks' })
        .then((r) => void (ids[key] = r.case.id));
    await open('old-late-po', {
      type: 'check',
      severity: 'low',
      code: 'PO_LATE',
      owner: { team: 'procurement' },
      slaHours: 2,
    });
    h.clock.advance(30 * HOUR_MS);
    await open('late-po', {
      type: 'check',
      severity: 'medium',
      code: 'PO_LATE',
      owner: { team: 'procurement' },
    });
    await open('credit', {
      type: 'raised',
      severity: 'critical',
      code: 'CREDIT_HOLD',
      owner: { team: 'finance' },
    });
    await open('unowned', { type: 'check', severity: 'high', code: 'PO_LATE' });
  });
  after(() => h.close());
  const get = (path: string, token = h.viewer) => h.api.request('GET', path, { token });
  const post = (path: string, body: unknown = {}) =>
    h.api.request('POST', path, { token: h.operator, body });
  const titles = async (query: string) =>
    ((await get(`/api/v1/exceptions?${query}`)).body.cases as { title: string }[]).map(
      (c) => c.title,
    );

  test('filters by type, severity, owner, code and age; SLA breach and age are shown', async () => {
    assert.deepEqual(await titles('type=check'), ['unowned', 'late-po', 'old-late-po']);
    assert.deepEqual(await titles('severity=critical'), ['credit']);
    assert.deepEqual(await titles('owner=procurement'), ['late-po', 'old-late-po']);
    assert.deepEqual(await titles('owner=none'), ['unowned']);
    assert.deepEqual(await titles('code=PO_LATE&status=open&olderThanHours=24'), ['old-late-po']);
    assert.deepEqual(await titles('workflow=nosuch'), []);
    const [old] = (await get(`/api/v1/exceptions?code=PO_LATE&olderThanHours=24`)).body.cases;
    assert.deepEqual(
      [old.ageMs, old.slaBreached, old.dueAt],
      [30 * HOUR_MS, true, '2026-03-02T11:00:00.000Z'],
    );
    const fresh = (await get(`/api/v1/exceptions/${ids['late-po']}`)).body;
    assert.deepEqual([fresh.ageMs, fresh.slaBreached], [0, false]);
    const bad = await get('/api/v1/exceptions?severity=urgent');
    assert.deepEqual([bad.status, bad.body.error.details[0].path], [400, 'query.severity']);
  });

  test('pages newest first with a cursor until nextCursor is null', async () => {
    const first = (await get('/api/v1/exceptions?type=check&limit=2')).body;
    assert.deepEqual(
      first.cases.map((c: { title: string }) => c.title),
      ['unowned', 'late-po'],
    );
    assert.equal(typeof first.nextCursor, 'string');
    const second = (await get(`/api/v1/exceptions?type=check&limit=2&cursor=${first.nextCursor}`))
      .body;
    assert.deepEqual(
      [second.cases.map((c: { title: string }) => c.title), second.nextCursor],
      [['old-late-po'], null],
    );
    assert.equal((await get('/api/v1/exceptions?cursor=bogus')).status, 400);
  });

  test('assign and comment are in the history and the audit log; viewers may read but not act', async () => {
    const id = ids.unowned!;
    const operatorId = (await h.api.services.users.list()).find(
      (u: { email: string }) => u.email === 'operator@test.example',
    )!.id;
    const assigned = await post(`/api/v1/exceptions/${id}/assign`, {
      team: 'procurement',
      userId: operatorId,
    });
    assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
    assert.deepEqual(assigned.body.owner, { team: 'procurement', userId: operatorId });
    assert.deepEqual(await titles(`owner=user:${operatorId}`), ['unowned']);
    assert.equal(
      (
        await post(`/api/v1/exceptions/${id}/comment`, {
          text: 'Called the supplier: ships Friday',
        })
      ).status,
      200,
    );
    const unknownUser = await post(`/api/v1/exceptions/${id}/assign`, { userId: '987654' });
    assert.deepEqual(
      [unknownUser.status, unknownUser.body.error.code],
      [400, 'EXCEPTION_OWNER_UNKNOWN'],
    );
    const refused = await h.api.request('POST', `/api/v1/exceptions/${id}/comment`, {
      token: h.viewer,
      body: { text: 'hi' },
    });
    assert.equal(refused.status, 403);

    const history = (await get(`/api/v1/exceptions/${id}`)).body.history as {
      action: string;
      actor: string;
      details: Record<string, unknown>;
    }[];
    assert.deepEqual(
      history.map((e) => e.action),
      ['opened', 'assigned', 'commented'],
    );
    assert.deepEqual(history[1]!.details, {
      team: 'procurement',
      userId: operatorId,
      from: { team: null, userId: null },
    });
    assert.deepEqual(history[2]!.details, { text: 'Called the supplier: ships Friday' });
    assert.match(
      history[2]!.actor,
      /^token:\d+ operator test \(user:\d+ operator@test\.example\)$/,
    );
    const audit = (await h.api.services.audit.list({ action: 'exception' })).filter(
      (a) => a.target === `exception:${id}`,
    );
    assert.deepEqual(
      audit.map((a) => a.action),
      ['exception.open', 'exception.assign', 'exception.comment'],
    );
    assert.notEqual(audit[1]!.requestId, null, 'the API request id is kept with the entry');
    assert.deepEqual(await h.api.services.audit.verify().then((v) => v.ok), true);
  });

  test('with 100k cases the list, a deep page and the filters use indexes, not a scan', async () => {
    const db = h.api.t.store.db;
    await sql`INSERT INTO exception_cases (kind, status, type, severity, title, error_code, workflow_id, step_id, owner_team, opened_at, updated_at)
              SELECT 'check', CASE WHEN g % 3 = 0 THEN 'resolved' ELSE 'open' END, 'check', (ARRAY['low','medium','high','critical'])[1 + g % 4],
                     'bulk ' || g, 'CODE_' || (g % 50), 'wf-' || (g % 20), 'step', 'team-' || (g % 10), now() - (g || ' seconds')::interval, now()
              FROM generate_series(1, 100000) g`.execute(db);
    await sql`ANALYZE exception_cases`.execute(db);
    const plan = async (where: string) =>
      (
        await sql<{
          'QUERY PLAN': string;
        }>`EXPLAIN SELECT * FROM exception_cases WHERE ${sql.raw(where)} ORDER BY id DESC LIMIT 51`.execute(
          db,
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    for (const where of [
      "status = 'open'",
      "status = 'open' AND id < 50000",
      "error_code = 'CODE_7' AND status = 'open'",
      "workflow_id = 'wf-3'",
      "owner_team = 'team-2' AND status = 'open'",
      "type = 'check' AND status = 'resolved' AND id < 1000",
    ]) {
      assert.doesNotMatch(await plan(where), /Seq Scan/, where);
    }
    const page = await get('/api/v1/exceptions?status=open&code=CODE_7&limit=50');
    assert.equal(page.body.cases.length, 50);
    assert.ok(
      page.body.cases.every(
        (c: { errorCode: string; status: string }) =>
          c.errorCode === 'CODE_7' && c.status === 'open',
      ),
    );
  });
});

test('every EXCEPTION_ code raised in src/exceptions is documented in docs/error-codes.md, with its HTTP status', () => {
  const dir = resolve(import.meta.dirname, '../../src/exceptions');
  const used = new Set(
    readdirSync(dir).flatMap((file) =>
      [...readFileSync(resolve(dir, file), 'utf8').matchAll(/'(EXCEPTIONS?_[A-Z_]+)'/g)].map(
        (m) => m[1]!,
      ),
    ),
  );
  assert.ok(used.size >= 8, [...used].join());
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/error-codes.md'), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `(EXCEPTIONS?_[A-Z_]+)` \| (\w+) \| (yes|no) \| ([\d-]+) \|/gm)].map(
      (m) => [m[1]!, m[4]!],
    ),
  );
  assert.deepEqual(
    [...used].filter((code) => !rows.has(code)),
    [],
  );
  assert.deepEqual(
    [...rows.keys()].filter((code) => !used.has(code)),
    [],
    'documented but never raised',
  );
  for (const [code, status] of rows) {
    const registered = isErrorCode(code) ? String(ERROR_CODES[code].httpStatus) : undefined;
    assert.equal(status === '-' ? status : registered, status, code);
  }
});
