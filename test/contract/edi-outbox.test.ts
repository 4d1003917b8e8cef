/**
 * EDI control numbers and the outbox on the store under test: numbers distinct under
 * concurrency and continuing after a restart (the store closed and opened again), a document
 * queued once per key, and delivery to a partner simulator on 127.0.0.1: signed, retried on
 * 503 by the test clock, failed on a refusal; an 860 change received once, answered by a 997.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  EdiDispatcher,
  lastControlNumbers,
  listDocuments,
  parseEdiPartners,
  queueDocument,
  receiveInterchange,
  type EdiPartner,
} from '../../src/connectors/edi/index.ts';
import { parseInterchange } from '../../src/edi/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import type { MappedEvent } from '../../src/triggers/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startEdiPartnerSimulator, type EdiPartnerSimulator } from '../../sim/edi/index.ts';
import { JumpingClock, eventually } from '../packs/support.ts';
import { openTestStore, type Reachable, type TestStore } from '../support/stores.ts';

const SECRETS = {
  ours: 'our-outbound-secret-0123456789',
  theirs: 'their-inbound-secret-0123456789',
};

function partnerFor(url: string, start = 1): EdiPartner {
  return parseEdiPartners(
    {
      partners: [
        {
          code: 'northwind',
          name: 'Northwind Retail',
          usage: 'T',
          partner_isa: { qualifier: 'ZZ', id: 'NORTHWINDRETL' },
          our_isa: { qualifier: 'ZZ', id: 'CROSSDOCKDIST' },
          control_number_start: start,
          inbound: { secret: SECRETS.theirs },
          outbound: { url, secret: SECRETS.ours, max_attempts: 3 },
          odoo: { customer_id: 14 },
        },
      ],
    },
    {},
  )[0]!;
}

const ack855 = (key: string) => ({
  dedupeKey: key,
  transactionSet: '855',
  reference: key,
  segments: [['BAK', '00', 'AD', key, '20261205'] as [string, ...string[]]],
});

describe('EDI control numbers and outbox', () => {
  let test_: TestStore<Reachable>;
  let store: Store;
  let sim: EdiPartnerSimulator;
  const clock = new JumpingClock();

  before(async () => {
    test_ = await openTestStore({ onDisk: true });
    store = test_.store;
    sim = await startEdiPartnerSimulator({
      partnerId: 'NORTHWINDRETL',
      crossdockId: 'CROSSDOCKDIST',
      crossdockSecret: SECRETS.ours,
      partnerSecret: SECRETS.theirs,
    });
  });
  after(async () => {
    await sim.close();
    // The store reopened by the restart test is this file's to close; dispose closes the first (again: harmless) and removes the data.
    if (store !== test_.store) await store.close();
    await test_.dispose();
  });

  test('twenty documents queued at once take twenty distinct numbers; a repeated key takes none', async () => {
    const partner = partnerFor(sim.url, 500);
    const queued = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queueDocument(store.db, partner, ack855(`PO-${i}`), clock.now()),
      ),
    );
    const numbers = queued.map((q) => q.interchangeControl).sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 20 }, (_, i) => 500 + i),
    );
    assert.deepEqual(
      queued.map((q) => q.groupControl).sort((a, b) => a! - b!),
      numbers,
    );
    const again = await queueDocument(store.db, partner, ack855('PO-3'), clock.now());
    assert.equal(again.duplicate, true);
    assert.equal(again.id, queued[3]!.id);
    assert.deepEqual(await lastControlNumbers(store.db, 'northwind'), {
      interchange: 519,
      group: 519,
    });
  });

  test('after a restart the numbers continue where they stopped', async () => {
    const connection = test_.connection;
    await store.close();
    store =
      connection.kind === 'pglite'
        ? await openStore({
            kind: 'pglite',
            dataDir: connection.dataDir,
            synchronous: false,
            vacuumIntervalMs: 600_000,
          })
        : await openStore({ kind: 'postgres', url: connection.url, poolSize: 2 });
    const next = await queueDocument(
      store.db,
      partnerFor(sim.url, 500),
      ack855('PO-after-restart'),
      clock.now(),
    );
    assert.equal(next.interchangeControl, 520);
    const { interchange } = parseInterchange((await listBodies(store))[0]!);
    assert.equal(interchange.header.control, '000000520');
    assert.equal(interchange.groups[0]!.control, '520');
  });

  test('delivery: signed, retried after a 503 by the clock, failed on a refusal', async () => {
    const partner = partnerFor(sim.url);
    const dispatcher = new EdiDispatcher({
      db: store.db,
      clock,
      logger: silentLogger(),
      partner: () => partner,
      pollIntervalMs: 60_000,
      random: () => 0.5,
      batch: 50,
    });
    sim.failNext(1, 503);
    const before = sim.received.length;
    await dispatcher.runOnce();
    const docs = await listDocuments(store.db, 'northwind', 100);
    assert.equal(docs.filter((d) => d.status === 'sent').length, docs.length - 1);
    const retried = docs.find((d) => d.status === 'pending')!;
    assert.equal(retried.last_error_code, 'EDI_DELIVERY_UNAVAILABLE');
    assert.equal(sim.received.length, before + docs.length - 1);
    assert.deepEqual(
      sim.received.flatMap((r) => r.problems),
      [],
    );
    assert.equal(await dispatcher.runOnce(), 0, 'not due before its backoff');
    clock.advance(60_000);
    assert.equal(await dispatcher.runOnce(), 1);
    const sent = (await listDocuments(store.db, 'northwind', 100)).find(
      (d) => d.id === retried.id,
    )!;
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 2);

    // Our secret is wrong for the partner: a 401 is a refusal, not retried.
    const wrong = {
      ...partner,
      outbound: { ...partner.outbound!, secret: 'not-what-the-partner-knows' },
    };
    const refusing = new EdiDispatcher({
      db: store.db,
      clock,
      logger: silentLogger(),
      partner: () => wrong,
      pollIntervalMs: 60_000,
    });
    const doc = await queueDocument(store.db, partner, ack855('PO-refused'), clock.now());
    await refusing.runOnce();
    const failed = await eventually('the refused document is failed', async () =>
      (await listDocuments(store.db, 'northwind', 100)).find(
        (d) => d.id === doc.id && d.status === 'failed',
      ),
    );
    assert.equal(failed.last_error_code, 'EDI_DELIVERY_REJECTED');
    assert.equal(failed.attempts, 1);
  });

  test('an 860 change is acknowledged by a 997 and becomes one change event; the same interchange again is a duplicate', async () => {
    const change = readFileSync(new URL('../fixtures/edi/860-004010.edi', import.meta.url), 'utf8');
    const events: MappedEvent[] = [];
    const deps = {
      db: store.db,
      now: () => clock.now(),
      accept: async (e: MappedEvent) => {
        const duplicate = events.some((x) => x.key === e.key);
        if (!duplicate) events.push(e);
        return { duplicate };
      },
      queued: () => undefined,
    };
    const partner = partnerFor(sim.url);
    const first = await receiveInterchange(deps, partner, change);
    assert.equal(first.status, 'accepted');
    assert.deepEqual(first.changes, ['NW-PO-88120']);
    assert.deepEqual(
      first.replies.map((r) => r.transactionSet),
      ['997'],
    );
    assert.deepEqual(
      events.map((e) => [e.type, e.key]),
      [['edi.purchase_order_change', '000004733:4733:0001']],
    );
    const payload = events[0]!.payload as {
      lines: { line: string; default_code: string | null }[];
    };
    assert.deepEqual(
      payload.lines.map((l) => [l.line, l.default_code]),
      [
        ['1', 'FURN_0001'],
        ['2', null],
        ['3', null],
      ],
    );
    const again = await receiveInterchange(deps, partner, change);
    assert.equal(again.duplicate, true);
    assert.equal(events.length, 1);
    const acks = (await listDocuments(store.db, 'northwind')).filter(
      (d) => d.transaction_set === '997' && d.reference === 'group 4733 of interchange 000004733',
    );
    assert.equal(acks.length, 1);
  });
});

async function listBodies(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('edi_documents')
    .select('body')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => r.body);
}
