/**
 * The deterministic extractor: what ai.extract answers when no provider is configured or the
 * provider gives no usable answer, and what the demo uses. Regular expressions over the
 * message's subject and text (quoted reply lines, starting with ">", are skipped):
 *  - purchase order: Odoo's names (P00015), or a number after "PO" / "purchase order";
 *  - tracking number: UPS's 1Z..., or a reference after "tracking" / "consignment";
 *  - order name: Odoo's sale order names (S00012);
 *  - new date: ISO (2026-03-15), day-first numeric (15.03.2026, 15/03/2026), and written
 *    (15 March 2026, March 15, 2026, 15 Mar 2026); the date after "new date", "delayed to",
 *    "now expected", "postponed to", "ship on" ... is the new one;
 *  - reason: the phrase after "due to", "because of", "owing to", "reason:".
 * Each value carries a confidence: one candidate, or one after its keyword, is sure (0.9 and
 * above); several that disagree are not (0.5 and below), so the gate sends them to a person.
 */
export const EXTRACT_FIELDS = [
  'purchase_order',
  'tracking_number',
  'order_name',
  'reason',
  'new_date',
] as const;
export type ExtractField = (typeof EXTRACT_FIELDS)[number];
export type Extraction = Record<ExtractField, { value: string; confidence: number }>;

const MONTHS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const DATE_PATTERNS: { re: RegExp; read: (m: RegExpExecArray) => [number, number, number] }[] = [
  { re: /\b(\d{4})-(\d{2})-(\d{2})\b/g, read: (m) => [+m[1]!, +m[2]!, +m[3]!] },
  { re: /\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b/g, read: (m) => [+m[3]!, +m[2]!, +m[1]!] },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(\\d{4})\\b`, 'gi'),
    read: (m) => [+m[3]!, monthOf(m[2]!), +m[1]!],
  },
  {
    re: new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'),
    read: (m) => [+m[3]!, monthOf(m[1]!), +m[2]!],
  },
];
const NEW_DATE_KEY =
  /(new (?:delivery |ship(?:ping)? )?date|delayed (?:to|until)|postponed (?:to|until)|moved to|now expected|expected (?:on|by)?|will (?:now )?(?:ship|arrive|be delivered)(?: on| by)?|ready (?:on|by)|neuer liefertermin|nouvelle date)\W{0,20}$/i;

function monthOf(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]) + 1;
}

function isoDate([y, m, d]: [number, number, number]): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || y < 2000 || y > 2100 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return null;
  return date.toISOString().slice(0, 10);
}

/** Distinct matches of the first group (or the whole match), in order. */
function distinct(text: string, re: RegExp): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(re)) {
    const v = (m[1] ?? m[0]).toUpperCase();
    if (!found.includes(v)) found.push(v);
  }
  return found;
}

function pick(found: string[], sure = 0.95): { value: string; confidence: number } {
  if (found.length === 0) return { value: '', confidence: 0 };
  return { value: found[0]!, confidence: found.length === 1 ? sure : 0.4 };
}

function newDate(text: string): { value: string; confidence: number } {
  const dates: { iso: string; keyed: boolean }[] = [];
  for (const { re, read } of DATE_PATTERNS)
    for (const m of text.matchAll(re)) {
      const iso = isoDate(read(m));
      if (iso === null) continue;
      dates.push({ iso, keyed: NEW_DATE_KEY.test(text.slice(Math.max(0, m.index - 60), m.index)) });
    }
  const keyed = [...new Set(dates.filter((d) => d.keyed).map((d) => d.iso))];
  const all = [...new Set(dates.map((d) => d.iso))];
  if (keyed.length === 1) return { value: keyed[0]!, confidence: 0.92 };
  if (keyed.length > 1) return { value: keyed[keyed.length - 1]!, confidence: 0.45 };
  if (all.length === 1) return { value: all[0]!, confidence: 0.7 };
  if (all.length > 1) return { value: all.sort()[all.length - 1]!, confidence: 0.35 };
  return { value: '', confidence: 0 };
}

function reason(text: string): { value: string; confidence: number } {
  const m = /\b(?:due to|because of|owing to|caused by|reason:)\s+([^.\n;!?]{3,160})/i.exec(text);
  return m ? { value: m[1]!.trim(), confidence: 0.85 } : { value: '', confidence: 0 };
}

export function extractByRules(message: { subject: string; text: string }): Extraction {
  const body = message.text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n');
  const text = `${message.subject}\n${body}`;
  const po = distinct(text, /\b(P\d{5,})\b/g);
  const poByWord = distinct(
    text,
    /\b(?:PO|purchase order)\s*(?:no\.?|number|#)?\s*[:#]?\s*([A-Z]{0,3}\d{3,})\b/gi,
  );
  return {
    purchase_order: pick(po.length > 0 ? po : poByWord),
    tracking_number: pick(
      [
        ...new Set([
          ...distinct(text, /\b(1Z[0-9A-Z]{16})\b/gi),
          ...distinct(
            text,
            /\b(?:tracking|consignment|waybill)\s*(?:no\.?|number|#|ref(?:erence)?)?\s*[:#]?\s*([A-Z0-9-]{8,35})\b/gi,
          ),
        ]),
      ],
      0.9,
    ),
    order_name: pick(distinct(text, /\b(S\d{5,})\b/g), 0.9),
    reason: reason(text),
    new_date: newDate(text),
  };
}
