/**
 * What leaves Crossdock for an AI provider about an exception case, and how personal data is
 * taken out of it first. Only the case's title, code, severity and details are sent (never
 * its owner, its run's input, or anything else). In them:
 *  - a value under a personal key (a person's name, contact, e-mail, phone, address: see
 *    PERSONAL_KEYS) is replaced whole by a placeholder, nested objects included, and the
 *    text it held is also blanked wherever it appears elsewhere (a name repeated in the title);
 *  - a value under a secret key (password, token, api key ...) is replaced by `[secret]`;
 *  - in every string: e-mail addresses, phone numbers, a title followed by a name (Mr, Mrs,
 *    Ms, Dr ...), street addresses (a number and a street word), bearer tokens and API keys.
 * What it cannot see is a person's name in free text with no title and no personal key:
 * docs/AI.md says so, and the workflow should put people under their own keys.
 */

export interface CaseForPrompt {
  title: string;
  code: string | null;
  severity: string;
  details: Record<string, unknown> | null;
}

export interface Redacted {
  /** The text sent as the user's message. */
  text: string;
  /** How many values of each kind were replaced (for the log; never what they were). */
  counts: Record<Placeholder, number>;
}

type Placeholder = 'person' | 'email' | 'phone' | 'address' | 'secret';

const SECRET_KEY = /(pass(word)?|secret|token|api_?key|authorization|credential|iban|card_?number)/;
const EMAIL_KEY = /(^|_)(e_?mail|mail)$/;
const PHONE_KEY = /(^|_)(phone|mobile|telephone|tel|fax)(_number)?$/;
const ADDRESS_KEY = /(^|_)(address|street2?|city|zip|postcode|postal_code)$/;
const PERSON_KEY =
  /^(name|contact|person|recipient|driver|signed_by|signer|attention|attn|customer|partner|buyer|requester|picker|courier)$|_(name|contact)$|^(contact|customer|partner|recipient|driver|buyer|requester)_/;

/** The placeholder for a key's value, or null when the key says nothing personal. */
export function personalKey(key: string): Placeholder | null {
  const k = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  if (SECRET_KEY.test(k)) return 'secret';
  if (EMAIL_KEY.test(k)) return 'email';
  if (PHONE_KEY.test(k)) return 'phone';
  if (ADDRESS_KEY.test(k)) return 'address';
  // product_name, sku_name and the like describe things, not people.
  if (
    /^(product|item|sku|warehouse|location|carrier|service|file|workflow|step|company)_name$/.test(
      k,
    )
  )
    return null;
  if (PERSON_KEY.test(k)) return 'person';
  return null;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const TITLED_NAME =
  /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Herr|Frau|Mme)\.?\s+[A-Z][\p{L}'’-]+(?:\s+[A-Z][\p{L}'’-]+)?/gu;
const STREET =
  /\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\p{L}'’-]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Way|Place|Pl|Court|Ct|Square|Sq|Straße|Strasse|Weg|Rue)\b\.?/gu;
const TOKEN = /\b(?:sk-[A-Za-z0-9_-]{12,}|Bearer\s+[A-Za-z0-9._~+/-]{8,}=*)/g;
const PHONE_CANDIDATE = /(?:\+|\b00|\()?\d[\d ().\-/]{5,}\d/g;

/** A phone number, not a date, a time, an amount or a plain reference. */
function looksLikePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(candidate) || /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(candidate))
    return false;
  if (/^\+|^00|^\(/.test(candidate)) return true;
  if (/^\d+([.,]\d{1,2})?$/.test(candidate)) return /^0\d{8,11}$/.test(candidate);
  // Groups of digits separated by spaces, dashes or dots: 030 1234 5678, 555-123-4567.
  return /^\d{2,5}([ .\-/]\d{2,5}){1,4}$/.test(candidate);
}

/** How many values of each kind were blanked: none yet. */
const noneRemoved = (): Record<Placeholder, number> => ({
  person: 0,
  email: 0,
  phone: 0,
  address: 0,
  secret: 0,
});

export function redactCase(input: CaseForPrompt): Redacted {
  const counts = noneRemoved();
  const known: { text: string; as: Placeholder }[] = [];
  const details = input.details === null ? null : stripKeys(input.details, counts, known);
  // Longest first, so "Jane Smith" goes before "Jane".
  known.sort((a, b) => b.text.length - a.text.length);
  const scrub = (text: string) => scrubText(text, known, counts);
  const lines = [
    `title: ${scrub(input.title)}`,
    `code: ${input.code === null ? '(none)' : scrub(input.code)}`,
    `severity: ${input.severity}`,
    `details: ${details === null ? '(none)' : JSON.stringify(scrubDeep(details, scrub))}`,
  ];
  return { text: lines.join('\n'), counts };
}

/**
 * An e-mail as it is sent to a provider: its subject and text, with the sender's name (and
 * its parts) and address blanked wherever they appear (a signature), and e-mail addresses,
 * phone numbers, titled names, street addresses and tokens blanked as in a case. The
 * sender's address and the recipients are never sent.
 */
export function redactMail(input: {
  subject: string;
  text: string;
  people: string[];
  addresses: string[];
}): Redacted {
  const counts = noneRemoved();
  const known: { text: string; as: Placeholder }[] = [];
  for (const a of input.addresses)
    if (a.trim().length >= 3) known.push({ text: a.trim(), as: 'email' });
  for (const name of input.people) {
    if (name.trim().length < 3) continue;
    known.push({ text: name.trim(), as: 'person' });
    for (const part of name.trim().split(/\s+/))
      if (/^\p{Lu}[\p{L}'’-]{2,}$/u.test(part)) known.push({ text: part, as: 'person' });
  }
  known.sort((a, b) => b.text.length - a.text.length);
  const subject = scrubText(input.subject, known, counts);
  const text = scrubText(input.text, known, counts);
  return { text: `subject: ${subject}\n\n${text}`, counts };
}

function stripKeys(
  value: unknown,
  counts: Record<Placeholder, number>,
  known: { text: string; as: Placeholder }[],
): any {
  if (Array.isArray(value)) return value.map((v) => stripKeys(v, counts, known));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const as = personalKey(key);
    if (as === null || item === null || item === undefined || item === '') {
      out[key] = stripKeys(item, counts, known);
      continue;
    }
    counts[as] += 1;
    out[key] = `[${as}]`;
    collectStrings(item, (text) => {
      known.push({ text, as });
      // A person's name also appears by its parts: "Ms Smith", "Jane called".
      if (as === 'person')
        for (const part of text.split(/\s+/))
          if (/^\p{Lu}[\p{L}'’-]{2,}$/u.test(part)) known.push({ text: part, as });
    });
  }
  return out;
}

function collectStrings(value: unknown, take: (text: string) => void): void {
  if (typeof value === 'string') {
    if (value.trim().length >= 3) take(value.trim());
  } else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, take));
  else if (typeof value === 'object' && value !== null)
    Object.values(value).forEach((v) => collectStrings(v, take));
}

function scrubDeep(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)]));
  return value;
}

function scrubText(
  text: string,
  known: { text: string; as: Placeholder }[],
  counts: Record<Placeholder, number>,
): string {
  const replace = (pattern: RegExp, as: Placeholder, test?: (m: string) => boolean) => {
    text = text.replace(pattern, (match) => {
      if (test && !test(match)) return match;
      counts[as] += 1;
      return `[${as}]`;
    });
  };
  replace(TOKEN, 'secret');
  replace(EMAIL, 'email');
  for (const { text: value, as } of known)
    replace(new RegExp(`(?<![\\p{L}\\d])${escape(value)}(?![\\p{L}\\d])`, 'giu'), as);
  replace(TITLED_NAME, 'person');
  replace(STREET, 'address');
  replace(PHONE_CANDIDATE, 'phone', (m) => looksLikePhone(m.trim()));
  return text;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
