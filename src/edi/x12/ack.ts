/**
 * Functional acknowledgments. Writing: the 997 for each functional group received (AK1,
 * one AK2..AK5 per transaction set with AK3/AK4 naming each segment and element at fault,
 * AK9), and the TA1 for an interchange whose envelope is wrong. Reading: a partner's 997 for
 * our documents, so each can be marked accepted or rejected.
 */
import {
  type FunctionalGroup,
  type Interchange,
  type Segment,
  type TransactionSet,
  type X12Error,
} from './model.ts';
import type { SegmentData, X12Version } from './generate.ts';

export type AckStatus = 'A' | 'E' | 'P' | 'R';

export interface SetAck {
  id: string;
  control: string;
  /** AK501: A accepted, E accepted with errors, R rejected. */
  status: 'A' | 'E' | 'R';
  /** AK502..AK506. */
  codes: string[];
  errors: { segment: string; position: string; code: string; elements: string[] }[];
}

export interface GroupAck {
  functionalId: string;
  groupControl: string;
  /** AK901. */
  status: AckStatus;
  sets: SetAck[];
  /** AK905..: why the group was rejected. */
  codes: string[];
}

/** The errors belonging to one transaction set of one group. */
function errorsOf(errors: X12Error[], group: FunctionalGroup, set: TransactionSet): X12Error[] {
  return errors.filter(
    (e) =>
      e.level === 'transaction' &&
      e.groupControl === group.control &&
      e.setControl === set.control &&
      e.segmentIndex >= set.st.index &&
      e.segmentIndex <= (set.se?.index ?? Number.MAX_SAFE_INTEGER),
  );
}

/** AK3 per segment at fault, each followed by AK4 per element at fault. */
function segmentNotes(errors: X12Error[]): SegmentData[] {
  const out: SegmentData[] = [];
  const bySegment = new Map<number, X12Error[]>();
  for (const e of errors) {
    if (e.positionInSet === null || (e.segmentCode === null && e.elementCode === null)) continue;
    bySegment.set(e.segmentIndex, [...(bySegment.get(e.segmentIndex) ?? []), e]);
  }
  for (const [, list] of [...bySegment].sort(([a], [b]) => a - b)) {
    const first = list[0]!;
    const code = list.find((e) => e.segmentCode !== null)?.segmentCode ?? '8';
    out.push(['AK3', first.segment, String(first.positionInSet), '', code]);
    for (const e of list) {
      if (e.elementCode === null || e.element === null) continue;
      const position =
        e.component === null ? String(e.element) : [String(e.element), String(e.component)];
      const bad = (e.badValue ?? '').slice(0, 99);
      // AK402 (the data element's reference number) is optional and left empty.
      out.push(['AK4', position, '', e.elementCode, ...(bad === '' ? [] : [bad])]);
    }
  }
  return out;
}

/** What a 997 says about each group of an interchange, given every error found in it. */
export function acknowledge(interchange: Interchange, errors: X12Error[]): GroupAck[] {
  return interchange.groups.map((group) => {
    const sets = group.transactions.map((set): SetAck => {
      const own = errorsOf(errors, group, set);
      const codes = [...new Set(own.map((e) => e.setCode ?? '5'))].slice(0, 5);
      return {
        id: set.id,
        control: set.control,
        status: own.length === 0 ? 'A' : 'R',
        codes,
        errors: [],
      };
    });
    const groupCodes = [
      ...new Set(
        errors
          .filter((e) => e.level === 'group' && e.groupControl === group.control)
          .map((e) => e.groupCode ?? '3'),
      ),
    ];
    const accepted = sets.filter((s) => s.status !== 'R').length;
    const status: AckStatus =
      groupCodes.length > 0 || accepted === 0 ? 'R' : accepted < sets.length ? 'P' : 'A';
    return {
      functionalId: group.functionalId,
      groupControl: group.control,
      status,
      sets,
      codes: groupCodes,
    };
  });
}

/** The body of the 997 acknowledging one group (ST and SE are added by the writer). */
export function write997(
  group: FunctionalGroup,
  ack: GroupAck,
  errors: X12Error[],
  version: X12Version,
): SegmentData[] {
  const out: SegmentData[] = [
    ['AK1', group.functionalId, group.control, ...(version === '005010' ? [group.version] : [])],
  ];
  group.transactions.forEach((set, i) => {
    const setAck = ack.sets[i]!;
    out.push(['AK2', set.id, set.control]);
    out.push(...segmentNotes(errorsOf(errors, group, set)));
    out.push(['AK5', setAck.status, ...setAck.codes]);
  });
  const n = String(group.transactions.length);
  const accepted = String(ack.sets.filter((s) => s.status !== 'R').length);
  out.push(['AK9', ack.status, n, n, accepted, ...ack.codes.slice(0, 5)]);
  return out;
}

/** The TA1 segment answering an interchange: accepted, or rejected with the first envelope fault. */
export function ta1(interchange: Interchange, errors: X12Error[]): SegmentData {
  const fault = errors.find((e) => e.level === 'interchange');
  const h = interchange.header;
  return ['TA1', h.control, h.date, h.time, fault ? 'R' : 'A', fault?.interchangeNote ?? '000'];
}

const elementOf = (s: Segment, i: number) => s.elements[i - 1] ?? '';

/** Reads a partner's 997: per group acknowledged, the status of the group and of each set. */
export function read997(set: TransactionSet): GroupAck | null {
  let group: GroupAck | null = null;
  let current: SetAck | null = null;
  for (const s of set.body) {
    if (s.id === 'AK1')
      group = {
        functionalId: elementOf(s, 1),
        groupControl: elementOf(s, 2),
        status: 'R',
        sets: [],
        codes: [],
      };
    else if (s.id === 'AK2' && group) {
      current = {
        id: elementOf(s, 1),
        control: elementOf(s, 2),
        status: 'A',
        codes: [],
        errors: [],
      };
      group.sets.push(current);
    } else if (s.id === 'AK3' && current)
      current.errors.push({
        segment: elementOf(s, 1),
        position: elementOf(s, 2),
        code: elementOf(s, 4),
        elements: [],
      });
    else if (s.id === 'AK4' && current && current.errors.length > 0)
      current.errors[current.errors.length - 1]!.elements.push(s.elements.join(' '));
    else if (s.id === 'AK5' && current) {
      const status = elementOf(s, 1);
      current.status = status === 'A' || status === 'E' ? status : 'R';
      current.codes = s.elements.slice(1).filter((c) => c !== '');
    } else if (s.id === 'AK9' && group) {
      const status = elementOf(s, 1);
      group.status = (['A', 'E', 'P'] as const).find((x) => x === status) ?? 'R';
      group.codes = s.elements.slice(4).filter((c) => c !== '');
    }
  }
  return group;
}
