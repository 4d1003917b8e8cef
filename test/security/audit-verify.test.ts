import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/index.ts';
import { waitForRun } from '../support/engine.ts';
import { reachable } from '../support/stores.ts';
import { startTestApi, type TestApi } from '../api/support.ts';

const FLOW = `
id: approve
trigger: { event: order.created }
steps:
  - id: ask
    type: wait
    with: { signal: approval }
  - id: check
    type: branch
    with: { if: "steps.ask.output.payload.approved = true", then: done, else: refuse }
  - id: done
    type: log
    with: { message: ok }
    end: true
  - id: refuse
    type: fail
    with: { code: REFUSED, message: refused }
`;

/** `crossdock audit verify`, as an auditor runs it, against the test's database. */
function verifyCli(env: Record<string, string>): {
  status: number | null;
  out: { ok: boolean; seq?: number; problem?: string; entries: number };
} {
  const child = spawnSync(process.execPath, ['bin/crossdock.js', 'audit', 'verify', '--json'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, out: JSON.parse(child.stdout) };
}

describe('crossdock audit verify', () => {
  let h: TestApi;
  let env: Record<string, string>;
  const reopen = (): Promise<Store> => {
    const where = reachable(h.t);
    return where.kind === 'pglite'
      ? openStore({
          kind: 'pglite',
          dataDir: where.dataDir,
          synchronous: false,
          vacuumIntervalMs: 3_600_000,
        })
      : openStore({ kind: 'postgres', url: where.url, poolSize: 2 });
  };
  /** A superuser's edit behind the application's back: the trigger is bypassed for this transaction only. */
  const tamper = async (statement: (tx: Store['db']) => Promise<unknown>) => {
    const store = await reopen();
    try {
      await store.db.transaction().execute(async (tx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(tx);
        await statement(tx);
      });
    } finally {
      await store.close();
    }
  };

  before(async () => {
    h = await startTestApi({ workflows: [FLOW], onDisk: true });
    h.engine.startWorkers(1);
    // A real history: people and tokens, a sign-in, a refused sign-in, an approval, a replay.
    const admin = await h.tokenFor('admin');
    assert.equal(
      (
        await h.request('POST', '/api/v1/users', {
          token: admin,
          body: {
            email: 'approver@example.com',
            role: 'approver',
            password: 'a fine long password',
          },
        })
      ).status,
      201,
    );
    const login = await h.request('POST', '/api/v1/auth/login', {
      body: { email: 'approver@example.com', password: 'a fine long password' },
    });
    assert.equal(login.status, 200);
    assert.equal(
      (
        await h.request('POST', '/api/v1/auth/login', {
          body: { email: 'approver@example.com', password: 'wrong' },
        })
      ).status,
      401,
    );
    const approver = (
      await h.request('POST', '/api/v1/tokens', {
        token: admin,
        body: { name: 'approvals', userId: login.body.user.id },
      })
    ).body.token;
    const operator = await h.tokenFor('operator');
    const sent = await h.request('POST', '/api/v1/events', {
      token: operator,
      body: { source: 'shop', type: 'order.created', key: 'SO-1', payload: {} },
    });
    const runId = sent.body.runIds[0];
    await waitForRun(h.engine, runId, ['waiting']);
    assert.equal(
      (
        await h.request('POST', `/api/v1/runs/${runId}/signals/approval`, {
          token: approver,
          body: { payload: { approved: false }, reason: 'margin too low' },
        })
      ).status,
      202,
    );
    await waitForRun(h.engine, runId, ['failed']);
    assert.equal(
      (
        await h.request('POST', `/api/v1/runs/${runId}/replay`, {
          token: operator,
          body: { fromStep: 'ask', reason: 'customer called back' },
        })
      ).status,
      200,
    );
    const actions = (await h.services.audit.list({ limit: 1000 })).map((e) => e.action);
    for (const action of [
      'user.create',
      'login.succeeded',
      'login.failed',
      'token.create',
      'event.intake',
      'run.signal',
      'run.replay',
    ])
      assert.ok(actions.includes(action), `${action} in ${actions}`);
    await h.api.close();
    h.services.metrics.close();
    await h.engine.stopWorkers();
    await h.t.store.close();
    const where = reachable(h.t);
    env =
      where.kind === 'pglite' ? { CROSSDOCK_DATA_DIR: where.dataDir } : { DATABASE_URL: where.url };
  });
  after(async () => {
    await h.t.dispose().catch(() => undefined);
  });

  test('passes on the real history', () => {
    const result = verifyCli(env);
    assert.equal(result.status, 0, JSON.stringify(result.out));
    assert.equal(result.out.ok, true);
    assert.ok(result.out.entries >= 7, String(result.out.entries));
  });

  test('the database refuses UPDATE and DELETE on the audit log', async () => {
    const store = await reopen();
    try {
      await assert.rejects(
        sql`UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`.execute(store.db),
        /append-only/,
      );
      await assert.rejects(
        sql`DELETE FROM audit_log WHERE seq = 2`.execute(store.db),
        /append-only/,
      );
    } finally {
      await store.close();
    }
  });

  test('fails, naming the entry, after an entry is altered directly in the database', async () => {
    const store = await reopen();
    const original = (
      await sql<{ details: unknown }>`SELECT details FROM audit_log WHERE seq = 4`.execute(store.db)
    ).rows[0]!.details;
    await store.close();
    await tamper((tx) =>
      sql`UPDATE audit_log SET details = details || '{"reason": "edited later"}'::jsonb WHERE seq = 4`.execute(
        tx,
      ),
    );
    const altered = verifyCli(env);
    assert.equal(altered.status, 1);
    assert.equal(altered.out.ok, false);
    assert.equal(altered.out.seq, 4);
    assert.match(altered.out.problem!, /^entry 4 \(.*\) was altered/);
    // Put it back exactly: the chain holds again (the hash covers the content, nothing else).
    await tamper((tx) =>
      sql`UPDATE audit_log SET details = ${JSON.stringify(original)}::jsonb WHERE seq = 4`.execute(
        tx,
      ),
    );
    assert.equal(verifyCli(env).status, 0);
  });

  test('the intake entry names who sent the event; verify fails, naming the event and its entry, after a stored event is changed or removed', async () => {
    const store = await reopen();
    const event = (
      await sql<
        Record<string, unknown>
      >`SELECT * FROM events WHERE source = 'shop' AND dedupe_key = 'SO-1'`.execute(store.db)
    ).rows[0]!;
    const entry = (
      await sql<{ seq: string; actor: string; details: { events: { id: string; by: string }[] } }>`
      SELECT seq, actor, details FROM audit_log WHERE action = 'event.intake' AND details->'events' @> ${JSON.stringify([{ id: String(event.id) }])}::jsonb`.execute(
        store.db,
      )
    ).rows;
    await store.close();
    assert.equal(entry.length, 1, 'one intake entry covers the event');
    const seq = Number(entry[0]!.seq);
    assert.match(entry[0]!.details.events[0]!.by, /^token:\d+ .*operator/);
    const name = new RegExp(
      `^event ${String(event.id)} \\(shop, key SO-1\\) recorded by entry ${seq} `,
    );

    await tamper((tx) =>
      sql`UPDATE events SET payload = '{"total": 1}'::jsonb WHERE id = ${event.id}`.execute(tx),
    );
    const changed = verifyCli(env);
    assert.equal(changed.status, 1);
    assert.equal(changed.out.seq, seq);
    assert.match(changed.out.problem!, name);
    assert.match(changed.out.problem!, /was altered: its payload no longer matches the entry/);
    await tamper((tx) =>
      sql`UPDATE events SET payload = '{}'::jsonb, dedupe_key = 'SO-9' WHERE id = ${event.id}`.execute(
        tx,
      ),
    );
    assert.match(verifyCli(env).out.problem!, /was altered: its key no longer matches the entry/);
    await tamper((tx) =>
      sql`UPDATE events SET dedupe_key = 'SO-1' WHERE id = ${event.id}`.execute(tx),
    );
    assert.equal(verifyCli(env).status, 0, 'put back exactly, the event checks again');

    await tamper((tx) => sql`DELETE FROM events WHERE id = ${event.id}`.execute(tx));
    const removed = verifyCli(env);
    assert.equal(removed.status, 1);
    assert.equal(removed.out.seq, seq);
    assert.match(removed.out.problem!, name);
    assert.match(removed.out.problem!, /was removed from the events table/);
    await tamper((tx) =>
      sql`INSERT INTO events OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_record(null::events, ${JSON.stringify(event)}::jsonb)`.execute(
        tx,
      ),
    );
    assert.equal(verifyCli(env).status, 0);
  });

  test('fails, naming the gap, after an entry is removed; and after the newest entry is removed', async () => {
    await tamper((tx) => sql`DELETE FROM audit_log WHERE seq = 3`.execute(tx));
    const removed = verifyCli(env);
    assert.equal(removed.status, 1);
    assert.equal(removed.out.seq, 3);
    assert.match(removed.out.problem!, /entry 3 is missing/);

    const store = await reopen();
    const last = Number(
      (await sql<{ n: string }>`SELECT max(seq) AS n FROM audit_log`.execute(store.db)).rows[0]!.n,
    );
    await store.close();
    await tamper(async (tx) => {
      await sql`DELETE FROM audit_log WHERE seq >= 3`.execute(tx); // hide the gap by cutting everything after it
    });
    const cut = verifyCli(env);
    assert.equal(cut.status, 1);
    assert.match(
      cut.out.problem!,
      new RegExp(`ends at entry 2 but its head records entry ${last}`),
    );
  });
});
