/**
 * The parts of RFC 3501's grammar the IMAP simulator reads and writes: a command line's
 * tokens (atoms, quoted strings, literals, parenthesised lists, a section in brackets kept
 * with its atom: `BODY.PEEK[]`), sequence sets (`1,3:5,7:*`) and quoting for answers.
 */

export type Token = string | Buffer | Token[];

/** Splits arguments; a literal arrives already read, as a Buffer. */
export function tokenize(text: string, literals: Buffer[]): Token[] {
  let i = 0;
  const list = (close: string | null): Token[] => {
    const out: Token[] = [];
    while (i < text.length) {
      const c = text[i]!;
      if (c === ' ') i++;
      else if (close !== null && c === close) {
        i++;
        return out;
      } else if (c === '(') {
        i++;
        out.push(list(')'));
      } else if (c === '"') out.push(quoted());
      else if (c === '\u0000') {
        i++;
        out.push(literals.shift() ?? Buffer.alloc(0));
      } else out.push(atom());
    }
    if (close !== null) throw new Error(`missing "${close}"`);
    return out;
  };
  const quoted = (): string => {
    let value = '';
    for (i++; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') value += text[++i] ?? '';
      else if (c === '"') {
        i++;
        return value;
      } else value += c;
    }
    throw new Error('unterminated quoted string');
  };
  const atom = (): string => {
    const start = i;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (depth === 0 && (c === ' ' || c === '(' || c === ')')) break;
    }
    if (start === i) throw new Error(`unexpected "${text[i]}"`);
    return text.slice(start, i);
  };
  return list(null);
}

export const asText = (t: Token | undefined): string | null =>
  typeof t === 'string' ? t : Buffer.isBuffer(t) ? t.toString('utf8') : null;

/** The numbers a sequence set names, among `all` (ascending); `*` is the largest of them. */
export function inSet(set: string, all: number[]): number[] {
  const max = all.length > 0 ? all[all.length - 1]! : 0;
  const value = (v: string) => {
    if (v === '*') return max;
    if (!/^[1-9]\d*$/.test(v)) throw new Error(`not a sequence number: ${v}`);
    return Number(v);
  };
  const picked = new Set<number>();
  for (const part of set.split(',')) {
    const [a, b] = part.split(':');
    const lo = value(a!);
    const hi = b === undefined ? lo : value(b);
    const [from, to] = lo <= hi ? [lo, hi] : [hi, lo];
    for (const n of all) if (n >= from && n <= to) picked.add(n);
  }
  return all.filter((n) => picked.has(n));
}

/** A string as an IMAP quoted string, or a literal when it cannot be quoted. */
export function quote(value: string): string {
  if (/[\r\n]/.test(value) || value.includes('\u0000') || Buffer.byteLength(value) !== value.length)
    return `{${Buffer.byteLength(value)}}\r\n${value}`;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The RFC 3501 date-time of INTERNALDATE: "06-Dec-2026 10:42:00 +0000". */
export function imapDate(d: Date): string {
  const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  const p = (n: number) => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${months[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}
