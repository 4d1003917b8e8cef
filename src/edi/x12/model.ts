/**
 * The parts of an ASC X12 interchange as the codec reads and writes them, and the errors it
 * reports with the codes a 997 (AK3/AK4/AK5/AK9) or a TA1 carries.
 */

/** The separators of one interchange, read from its ISA segment (never assumed). */
export interface Delimiters {
  /** ISA position 4 (`*` by convention). */
  element: string;
  /** ISA16, the component (sub-element) separator (`>` or `:`). */
  component: string;
  /** The character after ISA16 (`~` by convention). */
  segment: string;
  /** ISA11 from version 00402 on (`^`); null in 00401, where ISA11 is the standards identifier `U`. */
  repetition: string | null;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  element: '*',
  component: '>',
  segment: '~',
  repetition: '^',
};

export interface Segment {
  id: string;
  /** Elements 1..n (index 0 is element 01); empty strings for empty elements. */
  elements: string[];
  /** 1-based place in the interchange (ISA is 1). */
  index: number;
  /** 1-based place in its transaction set (ST is 1), as AK302 names it; null outside a set. */
  positionInSet: number | null;
}

export interface TransactionSet {
  st: Segment;
  /** ST01: 850, 855, 856, 810, 997. */
  id: string;
  /** ST02. */
  control: string;
  /** The segments between ST and SE. */
  body: Segment[];
  se: Segment | null;
}

export interface FunctionalGroup {
  gs: Segment;
  /** GS01: PO, PR, SH, IN, FA. */
  functionalId: string;
  sender: string;
  receiver: string;
  /** GS06. */
  control: string;
  /** GS08: 004010, 005010 ... */
  version: string;
  transactions: TransactionSet[];
  ge: Segment | null;
}

export interface InterchangeHeader {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** ISA09 YYMMDD and ISA10 HHMM. */
  date: string;
  time: string;
  /** ISA12: 00401, 00501 ... */
  version: string;
  /** ISA13, nine digits. */
  control: string;
  /** ISA14: a TA1 is requested. */
  ackRequested: boolean;
  /** ISA15: T test, P production. */
  usage: string;
}

export interface Interchange {
  delimiters: Delimiters;
  header: InterchangeHeader;
  isa: Segment;
  groups: FunctionalGroup[];
  iea: Segment | null;
}

/** AK304: what is wrong with a segment. */
export const SegmentError = {
  unrecognized: '1',
  unexpected: '2',
  mandatoryMissing: '3',
  loopOverMaximum: '4',
  exceedsMaximumUse: '5',
  notInSet: '6',
  notInSequence: '7',
  hasElementErrors: '8',
} as const;
export type SegmentError = (typeof SegmentError)[keyof typeof SegmentError];

/** AK403: what is wrong with an element. */
export const ElementError = {
  mandatoryMissing: '1',
  conditionalMissing: '2',
  tooMany: '3',
  tooShort: '4',
  tooLong: '5',
  invalidCharacter: '6',
  invalidCode: '7',
  invalidDate: '8',
  invalidTime: '9',
  exclusionViolated: '10',
} as const;
export type ElementError = (typeof ElementError)[keyof typeof ElementError];

/** AK502: why a transaction set is rejected. */
export const SetError = {
  notSupported: '1',
  trailerMissing: '2',
  controlNumberMismatch: '3',
  segmentCountMismatch: '4',
  segmentsInError: '5',
  invalidIdentifier: '6',
  invalidControlNumber: '7',
} as const;
export type SetError = (typeof SetError)[keyof typeof SetError];

/** AK905: why a functional group is rejected. */
export const GroupError = {
  notSupported: '1',
  versionNotSupported: '2',
  trailerMissing: '3',
  controlNumberMismatch: '4',
  setCountMismatch: '5',
} as const;
export type GroupError = (typeof GroupError)[keyof typeof GroupError];

/** TA105: what is wrong with the interchange envelope. */
export const InterchangeNote = {
  controlNumberMismatch: '001',
  invalidGroupCount: '021',
  invalidControlStructure: '022',
  invalidControlNumber: '018',
  invalidSenderId: '006',
  invalidReceiverId: '008',
} as const;
export type InterchangeNote = (typeof InterchangeNote)[keyof typeof InterchangeNote];

/**
 * One thing wrong with an interchange, at the level a reply names it: a transaction set's
 * segment or element (997 AK3/AK4, AK5 R), a group's envelope (AK9 R), or the interchange's
 * envelope (TA1 R).
 */
export interface X12Error {
  level: 'interchange' | 'group' | 'transaction';
  message: string;
  /** The segment at fault (its id), and where it is. */
  segment: string;
  segmentIndex: number;
  positionInSet: number | null;
  /** 1-based element position (AK401), and the component within it. */
  element: number | null;
  component: number | null;
  segmentCode: SegmentError | null;
  elementCode: ElementError | null;
  /** AK404: a copy of the bad value (when there is one). */
  badValue: string | null;
  setCode: SetError | null;
  groupCode: GroupError | null;
  interchangeNote: InterchangeNote | null;
  /** GS06 and ST02 of the group and set the error belongs to, for the reply. */
  groupControl: string | null;
  setControl: string | null;
}

/** "segment PO1 (position 7 in the set), element PO102": where an error is, as a person reads it. */
export function describeLocation(e: X12Error): string {
  const place =
    e.positionInSet === null
      ? `segment ${e.segment} (segment ${e.segmentIndex} of the interchange)`
      : `segment ${e.segment} (position ${e.positionInSet} in transaction set ${e.setControl ?? '?'})`;
  if (e.element === null) return place;
  const element = `${e.segment}${String(e.element).padStart(2, '0')}`;
  return `${place}, element ${element}${e.component === null ? '' : `-${e.component}`}`;
}

/** An X12Error with the fields a caller did not name set to null. */
export function x12Error(
  e: Pick<X12Error, 'level' | 'message' | 'segment' | 'segmentIndex'> & Partial<X12Error>,
): X12Error {
  return {
    positionInSet: null,
    element: null,
    component: null,
    segmentCode: null,
    elementCode: null,
    badValue: null,
    setCode: null,
    groupCode: null,
    interchangeNote: null,
    groupControl: null,
    setControl: null,
    ...e,
  };
}
