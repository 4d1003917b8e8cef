/**
 * An EDI trading partner for tests and demos: its translator's HTTP endpoint on 127.0.0.1
 * (an ephemeral port) that checks our signature and envelopes and records every document it
 * receives, answers them with a 997 when asked to, and sends 850 orders (or any text) to
 * Crossdock's /hooks/edi/<partner>, signed with its own secret.
 */
import { RecordLog } from '../record-log.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  accept997,
  change860,
  order850,
  readSim,
  writeSim,
  type SimInterchange,
  type SimChangeLine,
  type SimOrderLine,
} from './x12.ts';

export { change860, type SimChangeLine } from './x12.ts';
export { order850, readSim, writeSim, type SimInterchange, type SimOrderLine } from './x12.ts';

export interface EdiPartnerOptions {
  /** The partner's ISA/GS id, and ours as the partner knows us. */
  partnerId: string;
  crossdockId: string;
  /** What we sign our posts with (the partner checks it) and what the partner signs with. */
  crossdockSecret: string;
  partnerSecret: string;
  signatureHeader?: string;
  version?: '004010' | '005010';
  usage?: 'T' | 'P';
  /** Answer every document received (but 997s and TA1s) with an accepting 997. */
  autoAck?: boolean;
  /** The partner's first ISA13. */
  firstControl?: number;
  /** How many of the newest documents received to keep (default: all, for tests); see RecordLog. */
  keepReceived?: number;
}

export interface ReceivedDocument {
  at: Date;
  body: string;
  interchange: SimInterchange;
  /** The first set's id (997, 855 ...), or TA1. */
  kind: string;
  /** What is wrong with the envelope, as the partner's translator sees it. */
  problems: string[];
  /** The header Crossdock sent to name the document. */
  documentHeader: string | null;
}

export interface EdiPartnerSimulator {
  url: string;
  received: ReceivedDocument[];
  /** Where Crossdock takes this partner's documents (…/hooks/edi/<code>). */
  setCrossdockUrl(url: string): void;
  /** Sends an 850; answers Crossdock's HTTP status and JSON. */
  sendOrder(o: {
    poNumber: string;
    lines: SimOrderLine[];
    shipTo?: { code: string; name: string };
    requested?: Date;
    control?: number;
  }): Promise<{ status: number; body: any; text: string }>;
  /** Sends an 860 changing an order; answers Crossdock's HTTP status and JSON. */
  sendChange(c: {
    poNumber: string;
    poDate: Date;
    purpose?: '01' | '04';
    sequence?: string;
    requested?: Date;
    lines: SimChangeLine[];
    control?: number;
  }): Promise<{ status: number; body: any; text: string }>;
  /** Sends any text as the partner, signed (or with a wrong signature). */
  send(text: string, o?: { badSignature?: boolean }): Promise<{ status: number; body: any }>;
  /** The next `n` posts from Crossdock are answered with `status` (503: Crossdock retries). */
  failNext(n: number, status: number): void;
  setAutoAck(on: boolean): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function envelopeProblems(x: SimInterchange, o: EdiPartnerOptions): string[] {
  const problems: string[] = [];
  if (x.senderId !== o.crossdockId) problems.push(`ISA06 ${x.senderId} is not ${o.crossdockId}`);
  if (x.receiverId !== o.partnerId) problems.push(`ISA08 ${x.receiverId} is not ${o.partnerId}`);
  if (!/^\d{9}$/.test(x.control)) problems.push(`ISA13 ${x.control} is not nine digits`);
  if (x.trailerControl !== x.control) problems.push('IEA02 differs from ISA13');
  if (x.declaredGroups !== x.groups.length) problems.push('IEA01 miscounts the groups');
  for (const g of x.groups) {
    if (g.declaredSets !== g.sets.length) problems.push(`GE01 of group ${g.control} miscounts`);
    for (const s of g.sets)
      if (s.declaredCount !== s.actualCount) problems.push(`SE01 of set ${s.control} miscounts`);
  }
  return problems;
}

export async function startEdiPartnerSimulator(o: EdiPartnerOptions): Promise<EdiPartnerSimulator> {
  const header = (o.signatureHeader ?? 'x-edi-signature').toLowerCase();
  const receivedLog = new RecordLog<ReceivedDocument>(o.keepReceived);
  const received = receivedLog.entries;
  let crossdockUrl: string | null = null;
  let control = o.firstControl ?? 1000;
  let failures = { n: 0, status: 503 };
  let autoAck = o.autoAck ?? false;
  const sign = (secret: string, body: string) =>
    createHmac('sha256', secret).update(body).digest('hex');
  const envelope = (c: number) => ({
    senderId: o.partnerId,
    receiverId: o.crossdockId,
    control: c,
    usage: o.usage ?? 'T',
    version: o.version ?? '004010',
    at: new Date(),
  });

  async function post(text: string, badSignature = false) {
    if (!crossdockUrl) throw new Error('setCrossdockUrl first');
    const response = await fetch(crossdockUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/edi-x12',
        [header]: badSignature ? sign('not-the-secret-at-all', text) : sign(o.partnerSecret, text),
      },
      body: text,
    });
    const raw = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    return { status: response.status, body, text };
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = (await readBody(req)).toString('utf8');
      const given = Buffer.from(String(req.headers[header] ?? ''), 'hex');
      const expected = Buffer.from(sign(o.crossdockSecret, body), 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end('bad signature');
        return;
      }
      if (failures.n > 0) {
        failures.n--;
        res.writeHead(failures.status).end('unavailable');
        return;
      }
      let interchange: SimInterchange;
      try {
        interchange = readSim(body);
      } catch {
        res.writeHead(400).end('not an interchange');
        return;
      }
      const kind = interchange.groups[0]?.sets[0]?.id ?? interchange.loose[0]?.id ?? '?';
      const documentHeader = req.headers['x-crossdock-document'];
      receivedLog.add({
        at: new Date(),
        body,
        interchange,
        kind,
        problems: envelopeProblems(interchange, o),
        documentHeader: typeof documentHeader === 'string' ? documentHeader : null,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('received');
      if (autoAck && kind !== '997' && kind !== 'TA1' && crossdockUrl) {
        for (const group of interchange.groups)
          await post(writeSim(envelope(control++), 'FA', '997', accept997(group)));
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/edi`;
  return {
    url,
    received,
    setCrossdockUrl: (u) => {
      crossdockUrl = u;
    },
    async sendOrder(order) {
      const c = order.control ?? control++;
      const text = writeSim(envelope(c), 'PO', '850', order850({ ...order, date: new Date() }));
      return post(text);
    },
    async sendChange(change) {
      const c = change.control ?? control++;
      return post(writeSim(envelope(c), 'PC', '860', change860(change)));
    },
    send: (text, opts = {}) => post(text, opts.badSignature ?? false),
    failNext: (n, status) => {
      failures = { n, status };
    },
    setAutoAck: (on) => {
      autoAck = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export { ediFolderPartner, type CollectedFile, type EdiFolderPartner } from './folder.ts';
