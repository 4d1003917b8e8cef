/**
 * Writes X12 interchanges: an ISA/IEA envelope around GS/GE groups around ST/SE sets, with
 * the trailers' counts and control numbers computed, never typed. A value that holds one of
 * the interchange's separators is refused (it would change the document's structure).
 */
import { CrossdockError } from '../../errors/index.ts';
import { DEFAULT_DELIMITERS, type Delimiters } from './model.ts';

/** GS01 for each transaction set the codec writes or reads. */
export const FUNCTIONAL_IDS: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '860': 'PC',
  '865': 'CA',
  '997': 'FA',
};

export const X12_VERSIONS = ['004010', '005010'] as const;
export type X12Version = (typeof X12_VERSIONS)[number];

/** A segment to write: its id, then elements 01..n (a composite as an array of components). */
export type SegmentData = [id: string, ...elements: (string | string[])[]];

export interface SetToWrite {
  id: string;
  control: string;
  segments: SegmentData[];
}

export interface GroupToWrite {
  functionalId: string;
  sender: string;
  receiver: string;
  control: number;
  transactions: SetToWrite[];
}

export interface InterchangeToWrite {
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  control: number;
  /** GS08 (004010 or 005010); ISA12 follows from it (00401, 00501). */
  version: X12Version;
  usage: 'T' | 'P';
  ackRequested: boolean;
  at: Date;
  delimiters?: Delimiters;
  /** Interchange-level segments before the groups (a TA1 acknowledgment). */
  interchangeSegments?: SegmentData[];
  groups: GroupToWrite[];
}

function refuse(where: string, message: string): CrossdockError {
  return new CrossdockError('EDI_VALUE_INVALID', `${where}: ${message}`, {
    category: 'user',
    retryable: false,
    details: [{ path: where, message }],
  });
}

/** One segment as text, without its terminator; trailing empty elements are left off. */
export function writeSegment(data: SegmentData, d: Delimiters): string {
  const [id, ...elements] = data;
  const forbidden = [d.element, d.component, d.segment, ...(d.repetition ? [d.repetition] : [])];
  const values = elements.map((value, i) => {
    const where = `${id}${String(i + 1).padStart(2, '0')}`;
    const parts = Array.isArray(value) ? value : [value];
    for (const part of parts) {
      const bad = forbidden.find((c) => part.includes(c));
      if (bad !== undefined) throw refuse(where, `"${part}" holds the separator "${bad}"`);
    }
    return parts.join(d.component);
  });
  while (values.length > 0 && values[values.length - 1] === '') values.pop();
  return [id, ...values].join(d.element);
}

const pad = (value: string, width: number) => value.padEnd(width, ' ').slice(0, width);

/** CCYYMMDD and HHMM in UTC. */
export function x12Date(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}
export function x12Time(at: Date): string {
  return at.toISOString().slice(11, 16).replace(':', '');
}

/** The interchange as text, one segment per line after its terminator (mailboxes accept both). */
export function writeInterchange(x: InterchangeToWrite): string {
  const d = x.delimiters ?? DEFAULT_DELIMITERS;
  if (x.control < 1 || x.control > 999_999_999)
    throw refuse('ISA13', `control number ${x.control} is outside 1..999999999`);
  for (const [name, party] of [
    ['ISA06', x.sender],
    ['ISA08', x.receiver],
  ] as const) {
    if (party.id.length === 0 || party.id.length > 15)
      throw refuse(name, `"${party.id}" must be 1 to 15 characters`);
  }
  const isaVersion = x.version === '004010' ? '00401' : '00501';
  const isa11 = x.version === '004010' ? 'U' : (d.repetition ?? '^');
  const isa = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    pad(x.sender.qualifier, 2),
    pad(x.sender.id, 15),
    pad(x.receiver.qualifier, 2),
    pad(x.receiver.id, 15),
    x12Date(x.at).slice(2),
    x12Time(x.at),
    isa11,
    isaVersion,
    String(x.control).padStart(9, '0'),
    x.ackRequested ? '1' : '0',
    x.usage,
    d.component,
  ].join(d.element);
  const lines = [isa, ...(x.interchangeSegments ?? []).map((s) => writeSegment(s, d))];
  for (const group of x.groups) {
    lines.push(
      writeSegment(
        [
          'GS',
          group.functionalId,
          group.sender,
          group.receiver,
          x12Date(x.at),
          x12Time(x.at),
          String(group.control),
          'X',
          x.version,
        ],
        d,
      ),
    );
    for (const set of group.transactions) {
      const body = set.segments.map((s) => writeSegment(s, d));
      lines.push(writeSegment(['ST', set.id, set.control], d), ...body);
      lines.push(writeSegment(['SE', String(body.length + 2), set.control], d));
    }
    lines.push(writeSegment(['GE', String(group.transactions.length), String(group.control)], d));
  }
  lines.push(writeSegment(['IEA', String(x.groups.length), String(x.control).padStart(9, '0')], d));
  return lines.map((l) => `${l}${d.segment}\n`).join('');
}
