/**
 * Polling an IMAP mailbox (the simulator in sim/mail, through imapflow) on the store under
 * test: a message becomes one `mail.received` event and is flagged or moved only then; a
 * restart (a new poller on the same store) takes nothing twice; a new UIDVALIDITY reads the
 * folder again without a second event; a dropped connection mid-fetch loses nothing; a
 * refused password opens a case at once, never showing the password; an unreachable server
 * opens one after repeated failures; two pollers never poll one mailbox at once.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ApiServices } from '../../src/api/index.ts';
import {
  ImapPoller,
  parseImapMailboxes,
  registerImapMetrics,
  type ImapMailbox,
  type PollResult,
} from '../../src/connectors/mail/index.ts';
import { ManualClock, type Engine } from '../../src/engine/index.ts';
import { MailboxCases } from '../../src/instance/mailbox-cases.ts';
import { createLogger } from '../../src/observability/index.ts';
import { ImapSimulator } from '../../sim/mail/index.ts';
import { testKeyring } from '../api/support.ts';
import { servicesFor } from '../support/api-services.ts';
import { engineWith } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';

const PASSWORD = 'imap-Pa55word-7f3c9e';
const USER = 'delays@crossdock.test';

function delayMail(n: number, extra = ''): string {
  return [
    'From: Jane Whitfield <jane@holzwerk-nord.test>',
    `To: ${USER}`,
    'Cc: buyer@crossdock.test',
    `Subject: Delay of order P0000${n}`,
    `Message-ID: <delay-${n}@holzwerk-nord.test>`,
    'Date: Mon, 02 Mar 2026 09:00:00 +0000',
    '',
    `Your purchase order P0000${n} is delayed. New delivery date: 2026-03-1${n}.${extra}`,
    '',
  ].join('\n');
}

describe('polling an IMAP mailbox', () => {
  let t: TestStore;
  let engine: Engine;
  let services: ApiServices;
  let sim: ImapSimulator;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const log = { lines: [] as string[] };
  const pollers: ImapPoller[] = [];

  function mailbox(over: Partial<ImapMailbox> = {}): ImapMailbox {
    const [m] = parseImapMailboxes({
      mailboxes: [
        {
          name: 'suppliers',
          host: '127.0.0.1',
          port: over.port ?? sim.port,
          tls: 'none',
          user: USER,
          password_secret: 'imap.suppliers',
          poll_interval_ms: 60_000,
          case_after_failures: 3,
        },
      ],
    });
    return { ...m!, ...over };
  }

  function poller(over: Partial<ImapMailbox> = {}): ImapPoller {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => log.lines.push(chunk.toString()));
    const p = new ImapPoller([mailbox(over)], {
      db: t.store.db,
      now: () => clock.now(),
      logger: createLogger({ level: 'trace', destination: stream }),
      accept: (event) => engine.accept(event, 'mail'),
      revealSecret: (name) => services.secrets.reveal(name),
      cases: new MailboxCases({ db: t.store.db, exceptions: services.exceptions }),
      random: () => 0.5,
    });
    pollers.push(p);
    return p;
  }

  const events = async () =>
    (
      await sql<{
        key: string;
        payload: any;
      }>`SELECT dedupe_key AS key, payload FROM events WHERE source = 'mail.suppliers' ORDER BY id`.execute(
        t.store.db,
      )
    ).rows;
  const inbox = () => sim.folders.get('INBOX')!.messages;
  const polled = (r: PollResult) => {
    assert.equal(r.status, 'polled', JSON.stringify(r));
    return (r as Extract<PollResult, { status: 'polled' }>).outcome;
  };
  const mailboxCases = async () =>
    (await services.exceptions.list({})).cases.filter((c) => c.subject?.model === 'mailbox');

  before(async () => {
    t = await openTestStore();
    engine = await engineWith(t.store, [], { clock, maxEventBytes: 4_096 });
    services = servicesFor(engine, { keyring: testKeyring() });
    await services.secrets.put('imap.suppliers', PASSWORD);
  });
  beforeEach(async () => {
    clock.advance(3_600_000); // each test an hour later: its failures are a new run of them
    sim = await ImapSimulator.start({ user: USER, password: PASSWORD, folders: ['Processed'] });
    await sql`DELETE FROM imap_mailboxes`.execute(t.store.db);
    await sql`DELETE FROM events WHERE source = 'mail.suppliers'`.execute(t.store.db);
  });
  afterEach(async () => {
    for (const p of pollers.splice(0)) await p.stop();
    await sim.close();
  });
  after(async () => {
    await t?.dispose().catch(() => undefined);
  });

  test('a message becomes one mail.received event, then is flagged \\Seen; polled again, nothing more', async () => {
    sim.append('INBOX', delayMail(1));
    const p = poller();
    const first = polled(await p.pollNow('suppliers'));
    assert.equal(first.taken, 1);
    const [event, ...others] = await events();
    assert.equal(others.length, 0);
    assert.equal(event!.key, 'delay-1@holzwerk-nord.test');
    assert.equal(event!.payload.subject, 'Delay of order P00001');
    assert.deepEqual(event!.payload.to, ['buyer@crossdock.test', USER], 'To and Cc, sorted');
    assert.match(event!.payload.text, /New delivery date: 2026-03-11/);
    assert.ok(inbox()[0]!.flags.has('\\Seen'));

    const fetches = sim.transcript.filter((l) => / UID FETCH /.test(l)).length;
    assert.equal(polled(await p.pollNow('suppliers')).taken, 0);
    assert.equal(sim.transcript.filter((l) => / UID FETCH /.test(l)).length, fetches);
    const [state] = await p.states.list();
    assert.equal(state!.lastUid, 1);
    assert.equal(state!.messagesTaken, 1);
    assert.equal(state!.leaseOwner, null, 'the lease is given back after each poll');
  });

  test('after a restart nothing is taken twice, and a new message is taken once', async () => {
    sim.append('INBOX', delayMail(1));
    sim.append('INBOX', delayMail(2));
    assert.equal(polled(await poller().pollNow('suppliers')).taken, 2);
    const restarted = poller();
    sim.append('INBOX', delayMail(3));
    const outcome = polled(await restarted.pollNow('suppliers'));
    assert.equal(outcome.taken, 1);
    assert.equal(outcome.duplicates, 0, 'the messages taken before are not even fetched');
    assert.deepEqual(
      (await events()).map((e) => e.key),
      [1, 2, 3].map((n) => `delay-${n}@holzwerk-nord.test`),
    );
  });

  test('moved after intake, by COPY and EXPUNGE when the server has no MOVE', async () => {
    await sim.close();
    sim = await ImapSimulator.start({
      user: USER,
      password: PASSWORD,
      folders: ['Processed'],
      move: false,
    });
    sim.append('INBOX', delayMail(1));
    sim.append('INBOX', delayMail(2));
    const p = poller({ afterIntake: { action: 'move', folder: 'Processed' } });
    assert.equal(polled(await p.pollNow('suppliers')).taken, 2);
    assert.equal(inbox().length, 0);
    assert.equal(sim.folders.get('Processed')!.messages.length, 2);
    assert.ok(sim.transcript.some((l) => / UID COPY /.test(l)));
    assert.ok(sim.transcript.some((l) => / UID EXPUNGE /.test(l)));
  });

  test('a new UIDVALIDITY reads the folder again and stores no second event', async () => {
    sim.append('INBOX', delayMail(1));
    sim.append('INBOX', delayMail(2));
    const p = poller();
    assert.equal(polled(await p.pollNow('suppliers')).taken, 2);
    const validity = sim.renumber('INBOX');
    sim.append('INBOX', delayMail(3));
    const again = polled(await p.pollNow('suppliers'));
    assert.equal(again.rescanned, true);
    assert.equal(again.uidValidity, validity);
    assert.equal(again.duplicates, 2);
    assert.equal(again.taken, 1);
    assert.equal((await events()).length, 3);
    const [state] = await p.states.list();
    assert.deepEqual([state!.uidValidity, state!.lastUid], [validity, 3]);
  });

  test('a connection dropped mid-fetch loses nothing and doubles nothing', async () => {
    for (const n of [1, 2, 3]) sim.append('INBOX', delayMail(n));
    sim.dropOn('FETCH', 1); // the second message's FETCH is cut in the middle of its literal
    const p = poller();
    const failed = await p.pollNow('suppliers');
    assert.equal(failed.status, 'failed');
    assert.equal((failed as { code: string }).code, 'IMAP_CONNECTION_LOST');
    assert.equal((await events()).length, 1, 'the first message was taken before the drop');
    assert.equal((await p.states.list())[0]!.lastUid, 1);

    sim.dropOn('STORE'); // the event is stored, the flag never set: taken again, as a duplicate
    assert.equal((await p.pollNow('suppliers')).status, 'failed');
    const outcome = polled(await p.pollNow('suppliers'));
    assert.deepEqual([outcome.taken, outcome.duplicates], [1, 1]);
    assert.deepEqual(
      (await events()).map((e) => e.key),
      [1, 2, 3].map((n) => `delay-${n}@holzwerk-nord.test`),
    );
    assert.ok(inbox().every((m) => m.flags.has('\\Seen')));
    assert.equal((await p.states.list())[0]!.failures, 0);
  });

  test('a refused password opens a case at once; the password is in no log, case or state; the right one resolves it', async () => {
    sim.append('INBOX', delayMail(1));
    await services.secrets.put('imap.suppliers', 'a-wrong-password-1234');
    const p = poller();
    const failed = await p.pollNow('suppliers');
    assert.equal((failed as { code: string }).code, 'IMAP_AUTH_FAILED');
    const [opened] = await mailboxCases();
    assert.ok(opened, 'a case is open');
    assert.equal(opened.severity, 'high');
    assert.equal(opened.errorCode, 'IMAP_AUTH_FAILED');
    assert.equal((await events()).length, 0);

    await services.secrets.put('imap.suppliers', PASSWORD);
    assert.equal(polled(await p.pollNow('suppliers')).taken, 1);
    assert.equal((await services.exceptions.show(opened.id)).status, 'resolved');

    const seen = [
      ...log.lines,
      JSON.stringify(await services.exceptions.show(opened.id)),
      JSON.stringify(await p.states.list()),
      await services.metrics.render(),
    ].join('\n');
    for (const secret of [PASSWORD, 'a-wrong-password-1234'])
      assert.ok(!seen.includes(secret), 'no password in logs, cases, state or metrics');
    assert.match(seen, /IMAP_AUTH_FAILED/);
  });

  test('an unreachable server is backed off and opens a case after repeated failures; messages wait', async () => {
    const port = sim.port;
    await sim.close();
    const p = poller({ port });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await p.pollNow('suppliers');
      codes.push((r as { code: string }).code);
      if (i < 2) assert.equal((await mailboxCases()).filter((c) => c.status === 'open').length, 0);
    }
    assert.deepEqual(codes, ['IMAP_UNREACHABLE', 'IMAP_UNREACHABLE', 'IMAP_UNREACHABLE']);
    const [state] = await p.states.list();
    assert.equal(state!.failures, 3);
    // The backoff: 5 s doubled per failure (20 s after the third), a fifth of it random.
    const waitMs = state!.nextAttemptAt!.getTime() - clock.now().getTime();
    assert.ok(waitMs >= 16_000 && waitMs <= 20_000, `next attempt in ${waitMs} ms`);
    const open = (await mailboxCases()).filter((c) => c.status === 'open');
    assert.equal(open.length, 1);
    assert.equal(open[0]!.errorCode, 'IMAP_UNREACHABLE');
    registerImapMetrics(services.metrics.registry, p.states);
    const metrics = await services.metrics.render();
    assert.match(metrics, /^crossdock_imap_mailbox_failures\{mailbox="suppliers"\} 3$/m);
    assert.match(metrics, /^crossdock_imap_messages_taken\{mailbox="suppliers"\} 0$/m);
    sim = await ImapSimulator.start({ user: USER, password: PASSWORD, port });
  });

  test('a message refused for good opens a case, stays unflagged in the folder, and the next one is taken', async () => {
    sim.append('INBOX', delayMail(1, ' x'.repeat(3_000))); // over the store's 4 KiB event limit
    sim.append('INBOX', delayMail(2));
    const p = poller();
    const outcome = polled(await p.pollNow('suppliers'));
    assert.deepEqual([outcome.refused, outcome.taken], [1, 1]);
    assert.deepEqual(
      (await events()).map((e) => e.key),
      ['delay-2@holzwerk-nord.test'],
    );
    assert.equal(inbox()[0]!.flags.has('\\Seen'), false);
    const refused = (await mailboxCases()).find((c) => c.errorCode === 'EVENT_TOO_LARGE');
    assert.ok(refused, 'a case names the refused message');
    assert.match(refused.title, /Delay of order P00001/);
  });

  test('two pollers never poll one mailbox at once; a dead one loses its lease when it runs out', async () => {
    sim.append('INBOX', delayMail(1));
    const a = poller();
    const b = poller();
    assert.ok(
      await a.states.claim(
        'suppliers',
        a.owner,
        clock.now(),
        new Date(clock.now().getTime() + 60_000),
      ),
    );
    assert.equal((await b.pollNow('suppliers')).status, 'busy');
    assert.equal(sim.logins, 0);
    clock.advance(61_000); // a holds it no longer: it died
    assert.equal(polled(await b.pollNow('suppliers')).taken, 1);
    const both = await Promise.all([a.pollNow('suppliers'), b.pollNow('suppliers')]);
    assert.equal((await events()).length, 1);
    assert.ok(both.every((r) => r.status === 'polled' || r.status === 'busy'));
  });
});
