/**
 * A trading partner on the other side of a mailbox folder (an SFTP server's or a VAN's): it
 * drops 850 files into Crossdock's inbox the way such a sender does (written under a ".part"
 * name, then renamed), or drops them in pieces like a slow upload, and collects what Crossdock
 * wrote into the outbox, checking each file's envelope as its translator would.
 */
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { order850, readSim, writeSim, type SimInterchange, type SimOrderLine } from './x12.ts';

export interface CollectedFile {
  name: string;
  body: string;
  interchange: SimInterchange;
  /** The first set's id (997, 855 ...), or TA1. */
  kind: string;
}

export interface EdiFolderPartner {
  inbox: string;
  outbox: string;
  /** Writes an 850 as `<name>.part` and renames it to `<name>`; answers the name and text. */
  dropOrder(o: {
    poNumber: string;
    lines: SimOrderLine[];
    shipTo?: { code: string; name: string };
    control?: number;
    name?: string;
  }): { name: string; text: string; control: number };
  /** Writes text under its final name at once (a sender that does not rename). */
  drop(name: string, text: string): void;
  /** Appends to a file in the inbox (the rest of a slow upload). */
  append(name: string, text: string): void;
  /** What Crossdock wrote into the outbox (files whose names do not start with "."), by name. */
  collect(): CollectedFile[];
}

export function ediFolderPartner(o: {
  inbox: string;
  outbox: string;
  partnerId: string;
  crossdockId: string;
  version?: '004010' | '005010';
  usage?: 'T' | 'P';
  firstControl?: number;
}): EdiFolderPartner {
  let control = o.firstControl ?? 5000;
  return {
    inbox: o.inbox,
    outbox: o.outbox,
    dropOrder(order) {
      const c = order.control ?? control++;
      const text = writeSim(
        {
          senderId: o.partnerId,
          receiverId: o.crossdockId,
          control: c,
          usage: o.usage ?? 'T',
          version: o.version ?? '004010',
          at: new Date(),
        },
        'PO',
        '850',
        order850({ ...order, date: new Date() }),
      );
      const name = order.name ?? `PO_${order.poNumber}_${c}.edi`;
      writeFileSync(join(o.inbox, `${name}.part`), text);
      renameSync(join(o.inbox, `${name}.part`), join(o.inbox, name));
      return { name, text, control: c };
    },
    drop: (name, text) => writeFileSync(join(o.inbox, name), text),
    append: (name, text) => appendFileSync(join(o.inbox, name), text),
    collect() {
      if (!existsSync(o.outbox)) return [];
      return readdirSync(o.outbox)
        .filter((name) => !name.startsWith('.'))
        .sort()
        .map((name) => {
          const body = readFileSync(join(o.outbox, name), 'utf8');
          const interchange = readSim(body);
          const kind = interchange.groups[0]?.sets[0]?.id ?? interchange.loose[0]?.id ?? '?';
          return { name, body, interchange, kind };
        });
    },
  };
}
