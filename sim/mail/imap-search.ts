/**
 * Which messages of a folder an IMAP command names (RFC 3501 6.4.4, 6.4.5): a sequence set by
 * UID or by message sequence number, and the SEARCH keys the simulator knows. Pure: a set or a
 * key it cannot read throws, and the session answers BAD.
 */
import { asText, inSet, type Token } from './imap-protocol.ts';
import type { SimMessage } from './imap-server.ts';

/** The messages a set names: by UID, or by sequence number. */
export function messagesIn(all: SimMessage[], set: string | null, uid: boolean): SimMessage[] {
  if (set === null) throw new Error('a sequence set is missing');
  if (uid) {
    const picked = new Set(
      inSet(
        set,
        all.map((m) => m.uid),
      ),
    );
    return all.filter((m) => picked.has(m.uid));
  }
  return inSet(
    set,
    all.map((_, i) => i + 1),
  ).map((n) => all[n - 1]!);
}

/** The UIDs (or sequence numbers) of the messages every key matches. */
export function searchMessages(all: SimMessage[], args: Token[], uid: boolean): number[] {
  const tests: ((m: SimMessage) => boolean)[] = [];
  const key = (i: number): [(m: SimMessage) => boolean, number] => {
    const word = (asText(args[i]) ?? '').toUpperCase();
    switch (word) {
      case 'ALL':
        return [() => true, i + 1];
      case 'SEEN':
      case 'UNSEEN':
      case 'DELETED':
      case 'UNDELETED': {
        const flag = `\\${word.replace(/^UN/, '').charAt(0)}${word.replace(/^UN/, '').slice(1).toLowerCase()}`;
        const on = !word.startsWith('UN');
        return [(m) => m.flags.has(flag) === on, i + 1];
      }
      case 'UID': {
        const picked = new Set(messagesIn(all, asText(args[i + 1]), true));
        return [(m) => picked.has(m), i + 2];
      }
      case 'NOT': {
        const [inner, next] = key(i + 1);
        return [(m) => !inner(m), next];
      }
    }
    if (/^[\d*:,]+$/.test(word)) {
      const picked = new Set(messagesIn(all, word, false));
      return [(m) => picked.has(m), i + 1];
    }
    throw new Error(`Unsupported search key ${word || '(none)'}`);
  };
  for (let i = 0; i < args.length;) {
    const [test, next] = key(i);
    tests.push(test);
    i = next;
  }
  if (tests.length === 0) throw new Error('SEARCH needs a key');
  return all
    .map((m, i) => ({ m, n: uid ? m.uid : i + 1 }))
    .filter(({ m }) => tests.every((t) => t(m)))
    .map(({ n }) => n);
}
