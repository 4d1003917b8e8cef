/**
 * A small reader of Internet messages (RFC 5322 with MIME, RFC 2045-2047, 2231): what the
 * inbound e-mail door needs of a message and no more. It reads the headers (unfolded, encoded
 * words decoded), the first text/plain part as the text (else the first text/html part with
 * its tags removed), and every other leaf part that is an attachment, with its transfer
 * encoding (base64, quoted-printable, 7bit, 8bit, binary) undone. Charsets are decoded with
 * TextDecoder (UTF-8, ISO-8859-x, Windows-125x ...); an unknown one is read as UTF-8.
 * It never throws: a malformed message is read as far as it can be (a part without its
 * closing boundary ends at the end of the message). Decision 0050 says why this is ours.
 */

export interface MailAddress {
  name: string;
  address: string;
}

export interface MailPart {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ParsedMail {
  /** Header name (lower case) to its values in order, unfolded and decoded. */
  headers: Map<string, string[]>;
  /** Without the angle brackets; null when the message has none. */
  messageId: string | null;
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  /** The Date header as an ISO instant; null when it is missing or unreadable. */
  date: string | null;
  text: string;
  attachments: MailPart[];
}

/** Nested multiparts deeper than this are not read further (a message bomb). */
const MAX_DEPTH = 12;

export function parseMail(raw: Buffer): ParsedMail {
  const { headers, body } = splitEntity(raw.toString('latin1'));
  const out: ParsedMail = {
    headers,
    messageId: messageIdOf(first(headers, 'message-id')),
    subject: first(headers, 'subject') ?? '',
    from: parseAddresses(first(headers, 'from') ?? '')[0] ?? null,
    to: parseAddresses((headers.get('to') ?? []).join(', ')),
    date: dateOf(first(headers, 'date')),
    text: '',
    attachments: [],
  };
  const texts: { plain: string[]; html: string[] } = { plain: [], html: [] };
  readEntity(headers, body, 0, out, texts);
  out.text = texts.plain[0] ?? (texts.html[0] === undefined ? '' : htmlToText(texts.html[0]));
  return out;
}

function first(headers: Map<string, string[]>, name: string): string | undefined {
  return headers.get(name)?.[0];
}

/** Splits an entity (as latin1 text: one character per byte) into its headers and body. */
function splitEntity(entity: string): { headers: Map<string, string[]>; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  const head = match ? entity.slice(0, match.index) : entity;
  const body = match ? entity.slice(match.index + match[0].length) : '';
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return { headers, body };
}

function readEntity(
  headers: Map<string, string[]>,
  body: string,
  depth: number,
  out: ParsedMail,
  texts: { plain: string[]; html: string[] },
): void {
  const type = parseParams(first(headers, 'content-type') ?? 'text/plain; charset=us-ascii');
  const mime = type.value.toLowerCase() || 'text/plain';
  if (mime.startsWith('multipart/') && type.params.boundary && depth < MAX_DEPTH) {
    for (const part of splitMultipart(body, type.params.boundary)) {
      const entity = splitEntity(part);
      readEntity(entity.headers, entity.body, depth + 1, out, texts);
    }
    return;
  }
  const disposition = parseParams(first(headers, 'content-disposition') ?? '');
  const filename = disposition.params.filename ?? type.params.name ?? '';
  const content = decodeTransfer(body, first(headers, 'content-transfer-encoding') ?? '7bit');
  const attached = disposition.value.toLowerCase() === 'attachment' || filename !== '';
  if (!attached && (mime === 'text/plain' || mime === 'text/html')) {
    (mime === 'text/plain' ? texts.plain : texts.html).push(
      decodeCharset(content, type.params.charset),
    );
    return;
  }
  out.attachments.push({
    filename:
      filename || `part-${out.attachments.length + 1}${mime === 'message/rfc822' ? '.eml' : ''}`,
    contentType: mime,
    content,
  });
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  const lines = body.split(/\r?\n/);
  let current: string[] | null = null;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(current.join('\r\n'));
      current = trimmed === delimiter ? [] : null;
      if (trimmed !== delimiter) break;
      continue;
    }
    current?.push(line);
  }
  if (current && current.length > 0) parts.push(current.join('\r\n'));
  return parts;
}

/** A header value with parameters: `text/plain; charset="utf-8"`, RFC 2231 `filename*=utf-8''a%20b`. */
function parseParams(header: string): { value: string; params: Record<string, string> } {
  const [value = '', ...rest] = splitOutsideQuotes(header, ';');
  const params: Record<string, string> = {};
  const continued: Record<string, string[]> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim().toLowerCase();
    let v = item.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    const star = /^([^*]+)\*(\d+)?\*?$/.exec(key);
    if (star) (continued[star[1]!] ??= [])[Number(star[2] ?? 0)] = v;
    else params[key] = v;
  }
  for (const [key, pieces] of Object.entries(continued)) {
    const joined = pieces.join('');
    const encoded = /^([^']*)'[^']*'(.*)$/.exec(joined);
    params[key] = encoded
      ? decodeCharset(Buffer.from(percentBytes(encoded[2]!)), encoded[1])
      : joined;
  }
  return { value: value.trim(), params };
}

function percentBytes(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return bytes;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted) {
      current += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

function decodeTransfer(body: string, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(quotedPrintable(body));
    default:
      return Buffer.from(body, 'latin1');
  }
}

function quotedPrintable(text: string): number[] {
  const bytes: number[] = [];
  const soft = text.replace(/[ \t]+(\r?\n)/g, '$1').replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i) & 0xff);
  }
  return bytes;
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase();
  try {
    return new TextDecoder(label === 'us-ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** RFC 2047 encoded words (`=?utf-8?B?...?=`, `=?iso-8859-1?Q?...?=`); the header arrives as latin1. */
function decodeWords(value: string): string {
  // Bytes outside ASCII in a header are UTF-8 sent raw (RFC 6532); the rest is encoded words.
  const raw = /[\u0080-\u00ff]/.test(value)
    ? decodeCharset(Buffer.from(value, 'latin1'), 'utf-8')
    : value;
  return raw
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g,
      (_m, charset: string, enc: string, text: string) => {
        const bytes =
          enc.toUpperCase() === 'B'
            ? Buffer.from(text, 'base64')
            : Buffer.from(quotedPrintable(text.replace(/_/g, ' ')));
        return decodeCharset(bytes, charset);
      },
    );
}

/** `Name <a@b>, "Last, First" <c@d>, e@f` to addresses; what is not an address is skipped. */
export function parseAddresses(header: string): MailAddress[] {
  const out: MailAddress[] = [];
  for (const item of splitOutsideQuotes(header, ',')) {
    const angle = /^(.*)<([^<>\s]+@[^<>\s]+)>\s*$/.exec(item.trim());
    const bare = /^([^<>\s"]+@[^<>\s"]+)$/.exec(item.trim());
    if (angle)
      out.push({
        name: angle[1]!.trim().replace(/^"(.*)"$/, '$1'),
        address: angle[2]!.toLowerCase(),
      });
    else if (bare) out.push({ name: '', address: bare[1]!.toLowerCase() });
  }
  return out;
}

function messageIdOf(value: string | undefined): string | null {
  if (!value) return null;
  const id = /<([^<>]+)>/.exec(value)?.[1] ?? value.trim();
  return id === '' ? null : id.slice(0, 200);
}

function dateOf(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}
