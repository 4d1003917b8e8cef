/**
 * Reads an X12 interchange: the separators from its ISA segment, then the segments into
 * groups and transaction sets. What cannot be read at all (no ISA, an ISA of the wrong
 * shape) throws EDI_INTERCHANGE_UNREADABLE naming the element; every other fault of the
 * envelope is returned as an X12Error, so a reply (997, TA1) can name it.
 */
import { CrossdockError } from '../../errors/index.ts';
import {
  x12Error,
  type Delimiters,
  type FunctionalGroup,
  type Interchange,
  type Segment,
  type TransactionSet,
  type X12Error,
} from './model.ts';

/** The ISA segment is fixed width: 106 characters up to and including the segment terminator. */
const ISA_LENGTH = 106;
/** The widths of ISA01..ISA16. */
const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1] as const;

export interface ParsedInterchange {
  interchange: Interchange;
  /** Envelope faults: structure, control numbers, counts. */
  errors: X12Error[];
}

function unreadable(message: string, element: number | null): CrossdockError {
  const where = element === null ? 'segment ISA' : `ISA${String(element).padStart(2, '0')}`;
  return new CrossdockError('EDI_INTERCHANGE_UNREADABLE', `${where}: ${message}`, {
    category: 'user',
    retryable: false,
    details: [{ path: where, message }],
  });
}

/** The separators, from the ISA segment's fixed positions. */
export function readDelimiters(text: string): Delimiters {
  if (!text.startsWith('ISA'))
    throw unreadable('the interchange does not start with an ISA segment', null);
  if (text.length < ISA_LENGTH)
    throw unreadable(`the ISA segment is ${ISA_LENGTH} characters; only ${text.length} sent`, null);
  const element = text[3]!;
  const component = text[104]!;
  const segment = text[105]!;
  const used = [element, component, segment];
  if (used.some((c) => /[A-Za-z0-9 ]/.test(c)))
    throw unreadable(
      `a separator may not be a letter, a digit or a space (element "${element}", component "${component}", segment "${segment}")`,
      null,
    );
  if (new Set(used).size !== 3)
    throw unreadable('the element, component and segment separators must differ', 16);
  const fields = text.slice(0, 105).split(element);
  if (fields.length !== 17)
    throw unreadable(
      `expected 16 fixed-width elements separated by "${element}", found ${fields.length - 1}`,
      null,
    );
  ISA_WIDTHS.forEach((width, i) => {
    if (fields[i + 1]!.length !== width)
      throw unreadable(`is ${width} characters wide, found ${fields[i + 1]!.length}`, i + 1);
  });
  const version = fields[12]!;
  const isa11 = fields[11]!;
  // From 00402 on, ISA11 is the repetition separator; before, the standards identifier "U".
  const repetition = version >= '00402' && !/[A-Za-z0-9 ]/.test(isa11) ? isa11 : null;
  return { element, component, segment, repetition };
}

/** Splits the text into segments: the terminator, then any line break a mailbox added after it. */
export function splitSegments(text: string, d: Delimiters): Segment[] {
  const out: Segment[] = [];
  for (const raw of text.split(d.segment)) {
    const body = raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
    if (body === '') continue;
    const [id, ...elements] = body.split(d.element);
    out.push({ id: id!.trim(), elements, index: out.length + 1, positionInSet: null });
  }
  return out;
}

/** Parses an interchange; throws only when its ISA cannot be read. */
export function parseInterchange(raw: string): ParsedInterchange {
  const text = raw.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  const delimiters = readDelimiters(text);
  // What is read becomes events, which may hold no U+0000 (nor may X12's character sets).
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw unreadable(`a NUL character (U+0000) at offset ${nul}`, null);
  const segments = splitSegments(text, delimiters);
  const isa = segments[0]!;
  const el = (i: number) => (isa.elements[i - 1] ?? '').trim();
  const header = {
    senderQualifier: el(5),
    senderId: el(6),
    receiverQualifier: el(7),
    receiverId: el(8),
    date: el(9),
    time: el(10),
    version: el(12),
    control: el(13),
    ackRequested: el(14) === '1',
    usage: el(15),
  };
  const errors: X12Error[] = [];
  const interchange: Interchange = { delimiters, header, isa, groups: [], iea: null };
  if (!/^\d{9}$/.test(header.control))
    errors.push(
      x12Error({
        level: 'interchange',
        message: `ISA13 must be nine digits, found "${header.control}"`,
        segment: 'ISA',
        segmentIndex: 1,
        element: 13,
        interchangeNote: '018',
      }),
    );
  new Walker(segments, interchange, errors).walk();
  return { interchange, errors };
}

/** Groups segments into GS..GE and ST..SE, checking trailers, control numbers and counts. */
class Walker {
  #at = 1;
  constructor(
    private readonly segments: Segment[],
    private readonly interchange: Interchange,
    private readonly errors: X12Error[],
  ) {}

  walk(): void {
    const { segments, interchange } = this;
    while (this.#at < segments.length) {
      const s = segments[this.#at]!;
      if (s.id === 'GS') interchange.groups.push(this.group());
      else if (s.id === 'IEA') {
        interchange.iea = s;
        this.#at++;
        break;
      } else {
        this.envelopeError(s, `segment ${s.id} is outside a functional group (GS..GE)`);
        this.#at++;
      }
    }
    for (const extra of segments.slice(this.#at))
      this.envelopeError(extra, `segment ${extra.id} follows the IEA trailer`);
    this.checkTrailer();
  }

  private checkTrailer(): void {
    const { interchange, errors } = this;
    const iea = interchange.iea;
    const last = this.segments[this.segments.length - 1]!;
    if (!iea) {
      errors.push(
        x12Error({
          level: 'interchange',
          message: 'the IEA trailer is missing',
          segment: 'IEA',
          segmentIndex: last.index + 1,
          interchangeNote: '022',
        }),
      );
      return;
    }
    const count = iea.elements[0] ?? '';
    if (count !== String(interchange.groups.length))
      errors.push(
        x12Error({
          level: 'interchange',
          message: `IEA01 says ${count || 'nothing'} functional group(s); the interchange holds ${interchange.groups.length}`,
          segment: 'IEA',
          segmentIndex: iea.index,
          element: 1,
          badValue: count,
          interchangeNote: '021',
        }),
      );
    if ((iea.elements[1] ?? '') !== interchange.header.control)
      errors.push(
        x12Error({
          level: 'interchange',
          message: `IEA02 "${iea.elements[1] ?? ''}" does not match ISA13 "${interchange.header.control}"`,
          segment: 'IEA',
          segmentIndex: iea.index,
          element: 2,
          badValue: iea.elements[1] ?? '',
          interchangeNote: '001',
        }),
      );
  }

  private envelopeError(s: Segment, message: string): void {
    this.errors.push(
      x12Error({
        level: 'interchange',
        message,
        segment: s.id,
        segmentIndex: s.index,
        interchangeNote: '022',
      }),
    );
  }

  private group(): FunctionalGroup {
    const gs = this.segments[this.#at++]!;
    const e = (i: number) => gs.elements[i - 1] ?? '';
    const group: FunctionalGroup = {
      gs,
      functionalId: e(1),
      sender: e(2),
      receiver: e(3),
      control: e(6),
      version: e(8),
      transactions: [],
      ge: null,
    };
    const groupError = (s: Segment, message: string, extra: Partial<X12Error>) =>
      this.errors.push(
        x12Error({
          level: 'group',
          message,
          segment: s.id,
          segmentIndex: s.index,
          groupControl: group.control,
          ...extra,
        }),
      );
    if (!/^\d{1,9}$/.test(group.control))
      groupError(gs, `GS06 must be 1 to 9 digits, found "${group.control}"`, {
        element: 6,
        badValue: group.control,
        groupCode: '4',
      });
    while (this.#at < this.segments.length) {
      const s = this.segments[this.#at]!;
      if (s.id === 'ST') group.transactions.push(this.transaction(group));
      else if (s.id === 'GE') {
        group.ge = s;
        this.#at++;
        break;
      } else if (s.id === 'GS' || s.id === 'IEA') break;
      else {
        groupError(s, `segment ${s.id} is outside a transaction set (ST..SE)`, { groupCode: '3' });
        this.#at++;
      }
    }
    if (!group.ge) {
      groupError(gs, `the GE trailer of group ${group.control} is missing`, { groupCode: '3' });
      return group;
    }
    const ge = group.ge;
    const count = ge.elements[0] ?? '';
    if (count !== String(group.transactions.length))
      groupError(
        ge,
        `GE01 says ${count || 'nothing'} transaction set(s); group ${group.control} holds ${group.transactions.length}`,
        { element: 1, badValue: count, groupCode: '5' },
      );
    if ((ge.elements[1] ?? '') !== group.control)
      groupError(ge, `GE02 "${ge.elements[1] ?? ''}" does not match GS06 "${group.control}"`, {
        element: 2,
        badValue: ge.elements[1] ?? '',
        groupCode: '4',
      });
    return group;
  }

  private transaction(group: FunctionalGroup): TransactionSet {
    const st = this.segments[this.#at++]!;
    st.positionInSet = 1;
    const set: TransactionSet = {
      st,
      id: st.elements[0] ?? '',
      control: st.elements[1] ?? '',
      body: [],
      se: null,
    };
    const setError = (s: Segment, message: string, extra: Partial<X12Error>) =>
      this.errors.push(
        x12Error({
          level: 'transaction',
          message,
          segment: s.id,
          segmentIndex: s.index,
          positionInSet: s.positionInSet,
          groupControl: group.control,
          setControl: set.control,
          ...extra,
        }),
      );
    if (!/^\d{3}$/.test(set.id))
      setError(st, `ST01 must be a transaction set identifier such as 850, found "${set.id}"`, {
        element: 1,
        badValue: set.id,
        elementCode: '7',
        setCode: '6',
      });
    if (!/^\d{4,9}$/.test(set.control))
      setError(st, `ST02 must be 4 to 9 digits, found "${set.control}"`, {
        element: 2,
        badValue: set.control,
        elementCode: '6',
        setCode: '7',
      });
    let position = 1;
    while (this.#at < this.segments.length) {
      const s = this.segments[this.#at]!;
      if (s.id === 'ST' || s.id === 'GE' || s.id === 'GS' || s.id === 'IEA') break;
      s.positionInSet = ++position;
      this.#at++;
      if (s.id === 'SE') {
        set.se = s;
        break;
      }
      set.body.push(s);
    }
    if (!set.se) {
      setError(st, `the SE trailer of transaction set ${set.control} is missing`, {
        setCode: '2',
      });
      return set;
    }
    const se = set.se;
    const count = se.elements[0] ?? '';
    if (count !== String(position))
      setError(
        se,
        `SE01 says ${count || 'nothing'} segment(s); transaction set ${set.control} holds ${position} (ST and SE included)`,
        { element: 1, badValue: count, elementCode: '7', setCode: '4' },
      );
    if ((se.elements[1] ?? '') !== set.control)
      setError(se, `SE02 "${se.elements[1] ?? ''}" does not match ST02 "${set.control}"`, {
        element: 2,
        badValue: se.elements[1] ?? '',
        elementCode: '7',
        setCode: '3',
      });
    return set;
  }
}
