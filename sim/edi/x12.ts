/**
 * The trading partner's own X12 handling, written apart from Crossdock's codec on purpose:
 * the simulator models the other side, so what it writes and reads checks Crossdock's
 * envelopes instead of sharing their mistakes. Fixed-width ISA, separators from the ISA.
 */

export interface SimSeparators {
  element: string;
  component: string;
  segment: string;
}

export interface SimSegment {
  id: string;
  el: string[];
}

export interface SimSet {
  id: string;
  control: string;
  segments: SimSegment[];
  /** SE01 as sent, and the count the simulator made. */
  declaredCount: number;
  actualCount: number;
}

export interface SimGroup {
  functionalId: string;
  control: string;
  sets: SimSet[];
  declaredSets: number;
}

export interface SimInterchange {
  separators: SimSeparators;
  senderId: string;
  receiverId: string;
  control: string;
  usage: string;
  version: string;
  groups: SimGroup[];
  /** Interchange-level segments (TA1). */
  loose: SimSegment[];
  declaredGroups: number;
  trailerControl: string;
}

export function readSim(text: string): SimInterchange {
  const t = text.trimStart();
  if (!t.startsWith('ISA') || t.length < 106) throw new Error('not an interchange');
  const separators = { element: t[3]!, component: t[104]!, segment: t[105]! };
  const segments = t
    .split(separators.segment)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const [id, ...el] = s.split(separators.element);
      return { id: id!, el };
    });
  const isa = segments[0]!.el;
  const x: SimInterchange = {
    separators,
    senderId: isa[5]!.trim(),
    receiverId: isa[7]!.trim(),
    control: isa[12]!,
    usage: isa[14]!,
    version: isa[11]!,
    groups: [],
    loose: [],
    declaredGroups: -1,
    trailerControl: '',
  };
  let group: SimGroup | null = null;
  let set: SimSet | null = null;
  for (const s of segments.slice(1)) {
    if (s.id === 'GS') {
      group = { functionalId: s.el[0]!, control: s.el[5]!, sets: [], declaredSets: -1 };
      x.groups.push(group);
    } else if (s.id === 'ST') {
      set = { id: s.el[0]!, control: s.el[1]!, segments: [], declaredCount: -1, actualCount: 1 };
      group?.sets.push(set);
    } else if (s.id === 'SE' && set) {
      set.actualCount++;
      set.declaredCount = Number(s.el[0]);
      set = null;
    } else if (s.id === 'GE' && group) {
      group.declaredSets = Number(s.el[0]);
      group = null;
    } else if (s.id === 'IEA') {
      x.declaredGroups = Number(s.el[0]);
      x.trailerControl = s.el[1]!;
    } else if (set) {
      set.actualCount++;
      set.segments.push(s);
    } else x.loose.push(s);
  }
  return x;
}

export interface SimEnvelope {
  senderId: string;
  receiverId: string;
  control: number;
  usage: 'T' | 'P';
  /** 004010 or 005010. */
  version: string;
  at: Date;
  separators?: SimSeparators;
}

/** One interchange, one group, one set; segments as arrays of elements (id first). */
export function writeSim(
  env: SimEnvelope,
  functionalId: string,
  setId: string,
  body: string[][],
): string {
  const s = env.separators ?? { element: '*', component: '>', segment: '~' };
  const ymd = env.at.toISOString().slice(0, 10).replaceAll('-', '');
  const hm = env.at.toISOString().slice(11, 16).replace(':', '');
  const isaVersion = env.version === '004010' ? '00401' : '00501';
  const control = String(env.control).padStart(9, '0');
  const line = (el: string[]) => `${el.join(s.element)}${s.segment}\n`;
  return [
    line([
      'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', env.senderId.padEnd(15), 'ZZ',
      env.receiverId.padEnd(15), ymd.slice(2), hm, env.version === '004010' ? 'U' : '^', isaVersion,
      control, '0', env.usage, s.component,
    ]),
    line(['GS', functionalId, env.senderId, env.receiverId, ymd, hm, String(env.control), 'X', env.version]),
    line(['ST', setId, '0001']),
    ...body.map(line),
    line(['SE', String(body.length + 2), '0001']),
    line(['GE', '1', String(env.control)]),
    line(['IEA', '1', control]),
  ].join(''); // prettier-ignore
}

export interface SimOrderLine {
  qty: number;
  price?: number;
  uom?: string;
  /** [qualifier, id] pairs: ['BP', 'NW-DESK-ORG'], ['UP', '012345678905']. */
  ids: [string, string][];
}

/** An 850's body as a buyer's system writes it. */
export function order850(o: {
  poNumber: string;
  date: Date;
  shipTo?: { code: string; name: string };
  requested?: Date;
  lines: SimOrderLine[];
}): string[][] {
  const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  return [
    ['BEG', '00', 'SA', o.poNumber, '', ymd(o.date)],
    ['CUR', 'BY', 'USD'],
    ...(o.requested ? [['DTM', '002', ymd(o.requested)]] : []),
    ...(o.shipTo ? [['N1', 'ST', o.shipTo.name, '92', o.shipTo.code]] : []),
    ...o.lines.map((l, i) => [
      'PO1',
      String(i + 1),
      String(l.qty),
      l.uom ?? 'EA',
      l.price === undefined ? '' : String(l.price),
      '',
      ...l.ids.flat(),
    ]),
    ['CTT', String(o.lines.length)],
  ];
}

export interface SimChangeLine {
  /** The line's number in the order (PO101), or a new one for an added line. */
  line: string;
  /** POC02: AI add, DI delete, QI / QD quantity up / down, PC price, CA changes, NC none. */
  change: string;
  /** The line's quantity after the change (POC03); not sent on a deleted line. */
  qty?: number;
  uom?: string;
  price?: number;
  ids?: [string, string][];
}

/**
 * An 860 purchase order change as a buyer's system writes it: BCH (04 change or 01
 * cancellation, the PO number, the change's sequence number, the PO date), a new requested
 * delivery date, and a POC per line changed (line, change code, new quantity, quantity left to
 * receive, unit, price, basis, product ids).
 */
export function change860(o: {
  poNumber: string;
  poDate: Date;
  purpose?: '01' | '04';
  sequence?: string;
  requested?: Date;
  lines: SimChangeLine[];
}): string[][] {
  const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  return [
    ['BCH', o.purpose ?? '04', 'SA', o.poNumber, '', o.sequence ?? '', ymd(o.poDate)],
    ...(o.requested ? [['DTM', '002', ymd(o.requested)]] : []),
    ...o.lines.map((l) => [
      'POC',
      l.line,
      l.change,
      l.qty === undefined ? '' : String(l.qty),
      '',
      l.uom ?? '',
      l.price === undefined ? '' : String(l.price),
      l.price === undefined ? '' : 'PE',
      ...(l.ids ?? []).flat(),
    ]),
    ['CTT', String(o.lines.length)],
  ];
}

/** The 997 a partner's translator answers a received group with: every set accepted. */
export function accept997(group: SimGroup): string[][] {
  return [
    ['AK1', group.functionalId, group.control],
    ...group.sets.flatMap((set) => [
      ['AK2', set.id, set.control],
      ['AK5', 'A'],
    ]),
    ['AK9', 'A', String(group.sets.length), String(group.sets.length), String(group.sets.length)],
  ];
}
