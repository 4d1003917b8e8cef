/**
 * The X12 codec (src/edi): separators read from the ISA, envelopes and their control numbers
 * and counts, the 850 and 860 readers' faults by segment and element, and the 997 / TA1 / 855 /
 * 865 it writes, read back by the same parser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  acknowledge,
  describeLocation,
  parseInterchange,
  read850,
  read860,
  read997,
  ta1,
  write810,
  write856,
  write855,
  write865,
  write997,
  writeInterchange,
  type Delimiters,
  type X12Error,
} from '../../src/edi/index.ts';
import { CrossdockError } from '../../src/errors/index.ts';

const SAMPLE = readFileSync(new URL('../fixtures/edi/850-004010.edi', import.meta.url), 'utf8');
const AT = new Date('2026-12-05T09:30:00Z');

/** The sample with other separators: every structural character swapped, nothing else. */
function withSeparators(text: string, d: Delimiters): string {
  return text
    .split('~')
    .map((seg) => seg.split('*').join(d.element))
    .join(d.segment)
    .replace(`${d.element}>${d.segment}`, `${d.element}${d.component}${d.segment}`);
}

function only850(text: string) {
  const parsed = parseInterchange(text);
  const group = parsed.interchange.groups[0]!;
  return { parsed, group, set: group.transactions[0]! };
}

const brief = (e: X12Error) =>
  `${e.level} ${e.segment}@${e.positionInSet ?? e.segmentIndex}${e.element === null ? '' : `.${e.element}`} ${e.elementCode ?? e.segmentCode ?? e.setCode ?? e.groupCode ?? e.interchangeNote}`;

describe('reading an interchange', () => {
  test('the sample 850: envelope, group, set and order read; no error', () => {
    const { parsed, group, set } = only850(SAMPLE);
    assert.deepEqual(parsed.errors, []);
    const h = parsed.interchange.header;
    assert.deepEqual(
      [h.senderQualifier, h.senderId, h.receiverId, h.control, h.version, h.usage],
      ['ZZ', 'NORTHWINDRETL', 'CROSSDOCKDIST', '000004711', '00401', 'T'],
    );
    assert.deepEqual(parsed.interchange.delimiters, {
      element: '*',
      component: '>',
      segment: '~',
      repetition: null,
    });
    assert.deepEqual([group.functionalId, group.control, group.version], ['PO', '4711', '004010']);
    const order = read850(group, set);
    assert.ok(order.ok);
    assert.equal(order.document.poNumber, 'NW-PO-88120');
    assert.equal(order.document.poDate, '2026-12-05');
    assert.equal(order.document.requestedDelivery, '2026-12-12');
    assert.deepEqual(order.document.shipTo, {
      qualifier: '92',
      code: '0042',
      name: 'Northwind Store 0042',
    });
    assert.deepEqual(
      order.document.lines.map((l) => [l.lineNumber, l.quantity, l.uom, l.unitPrice, l.items]),
      [
        ['1', 12, 'EA', 14.5, { BP: 'NW-DESK-ORG', VP: 'FURN_0001' }],
        ['2', 4, 'EA', 95, { UP: '012345678905' }],
      ],
    );
  });

  test('separators are whatever the ISA says, with line breaks after terminators or none', () => {
    for (const d of [
      { element: '|', component: ':', segment: '\n', repetition: null },
      { element: '^', component: '\\', segment: "'", repetition: null },
      { element: '*', component: '>', segment: '~', repetition: null },
    ]) {
      const text = withSeparators(SAMPLE.replaceAll('\n', ''), d);
      const { parsed, group, set } = only850(text);
      assert.deepEqual(parsed.interchange.delimiters, d, JSON.stringify(d));
      assert.deepEqual(parsed.errors, []);
      const order = read850(group, set);
      assert.ok(order.ok);
      assert.equal(order.document.lines[1]!.items.UP, '012345678905');
    }
  });

  test('an unreadable ISA is refused, naming the element', () => {
    const cases: [string, RegExp][] = [
      ['GS*PO*X~', /does not start with an ISA/],
      [SAMPLE.slice(0, 60), /106 characters/],
      [
        SAMPLE.replace('*ZZ*NORTHWINDRETL  *', '*ZZ*NORTHWINDRETL *'),
        /ISA06: is 15 characters wide, found 14/,
      ],
      [SAMPLE.replace('*>~', '*A~'), /may not be a letter/],
      [SAMPLE.replace('NW-PO-88120', 'NW-PO\u0000'), /NUL character \(U\+0000\) at offset/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseInterchange(text),
        (e: unknown) =>
          e instanceof CrossdockError &&
          e.code === 'EDI_INTERCHANGE_UNREADABLE' &&
          message.test(e.message),
        String(message),
      );
    }
  });

  test('several groups and sets; trailer counts and control numbers are checked at each level', () => {
    const lines = SAMPLE.trim().split('\n');
    const set = lines.slice(2, 16);
    const second = set.map((l) =>
      l.replace('*0001~', '*0002~').replace('NW-PO-88120', 'NW-PO-88121'),
    );
    const text = [
      lines[0],
      lines[1],
      ...set,
      ...second,
      'GE*2*4711~',
      lines[1]!.replace('*4711*', '*4712*'),
      ...set.map((l) => l.replace('SE*14*0001~', 'SE*13*0009~')),
      'GE*3*4713~',
      'IEA*3*000004712~',
    ].join('\n');
    const { interchange, errors } = parseInterchange(text);
    assert.equal(interchange.groups.length, 2);
    assert.deepEqual(
      interchange.groups.map((g) => g.transactions.map((t) => t.control)),
      [['0001', '0002'], ['0001']],
    );
    assert.deepEqual(errors.map(brief), [
      'transaction SE@14.1 7',
      'transaction SE@14.2 7',
      'group GE@47.1 5',
      'group GE@47.2 4',
      'interchange IEA@48.1 021',
      'interchange IEA@48.2 001',
    ]);
    assert.deepEqual(
      errors.map((e) => e.setCode ?? e.groupCode ?? e.interchangeNote),
      ['4', '3', '5', '4', '021', '001'],
    );
    assert.match(errors[0]!.message, /SE01 says 13 segment\(s\); transaction set 0001 holds 14/);
  });

  test('a missing SE, GE and IEA are named', () => {
    const text = SAMPLE.split('\n')
      .filter((l) => !/^(SE|GE|IEA)\*/.test(l))
      .join('\n');
    const { errors } = parseInterchange(text);
    assert.deepEqual(
      errors.map((e) => [e.level, e.setCode ?? e.groupCode ?? e.interchangeNote]),
      [
        ['transaction', '2'],
        ['group', '3'],
        ['interchange', '022'],
      ],
    );
  });
});

describe('the 850 reader names each fault by segment and element', () => {
  const faults = (edit: (text: string) => string) => {
    const { group, set } = only850(edit(SAMPLE));
    const read = read850(group, set);
    assert.equal(read.ok, false);
    return read.ok ? [] : read.errors;
  };

  test('a missing PO number, a bad date, a quantity of zero, a UPC of 11 digits, a wrong CTT', () => {
    const errors = faults((t) =>
      t
        .replace('BEG*00*SA*NW-PO-88120**20261205', 'BEG*00*SA***20261341')
        .replace('PO1*1*12*EA', 'PO1*1*0*EA')
        .replace('UP*012345678905', 'UP*01234567890')
        .replace('CTT*2', 'CTT*3'),
    );
    assert.deepEqual(errors.map(brief), [
      'transaction BEG@2.3 1',
      'transaction BEG@2.5 8',
      'transaction PO1@9.2 6',
      'transaction PO1@11.7 6',
      'transaction CTT@13.1 7',
    ]);
    assert.equal(
      describeLocation(errors[2]!),
      'segment PO1 (position 9 in transaction set 0001), element PO102',
    );
  });

  test('an order without lines, and a segment that is not part of an 850', () => {
    const errors = faults((t) =>
      t
        .split('\n')
        .filter((l) => !l.startsWith('PO1') && !l.startsWith('PID') && !l.startsWith('CTT'))
        .join('\n')
        .replace('REF*DP*0042', 'ZZZ*DP*0042'),
    );
    assert.deepEqual(errors.map(brief), ['transaction ZZZ@4 6', 'transaction PO1@9 3']);
    assert.match(errors[1]!.message, /at least one PO1/);
  });
});

describe('writing', () => {
  test('an interchange written is read back with the same envelopes, counts and separators', () => {
    for (const version of ['004010', '005010'] as const) {
      const text = writeInterchange({
        sender: { qualifier: 'ZZ', id: 'CROSSDOCKDIST' },
        receiver: { qualifier: '01', id: '123456789' },
        control: 42,
        version,
        usage: 'P',
        ackRequested: false,
        at: AT,
        delimiters: { element: '|', component: ':', segment: '~', repetition: '!' },
        groups: [
          {
            functionalId: 'PR',
            sender: 'CROSSDOCKDIST',
            receiver: '123456789',
            control: 17,
            transactions: [
              { id: '855', control: '0001', segments: [['BAK', '00', 'AD', 'PO-1', '20261205']] },
            ],
          },
        ],
      });
      const { interchange, errors } = parseInterchange(text);
      assert.deepEqual(errors, []);
      assert.equal(interchange.header.control, '000000042');
      assert.equal(interchange.header.version, version === '004010' ? '00401' : '00501');
      assert.equal(interchange.delimiters.repetition, version === '004010' ? null : '!');
      assert.deepEqual(interchange.groups[0]!.transactions[0]!.body[0]!.elements, [
        '00',
        'AD',
        'PO-1',
        '20261205',
      ]);
    }
  });

  test('a value holding a separator is refused, naming the element', () => {
    assert.throws(
      () =>
        writeInterchange({
          sender: { qualifier: 'ZZ', id: 'A' },
          receiver: { qualifier: 'ZZ', id: 'B' },
          control: 1,
          version: '004010',
          usage: 'T',
          ackRequested: false,
          at: AT,
          groups: [
            {
              functionalId: 'PR',
              sender: 'A',
              receiver: 'B',
              control: 1,
              transactions: [
                { id: '855', control: '0001', segments: [['PID', 'F', '', '', '', 'Desk*Chair']] },
              ],
            },
          ],
        }),
      (e: unknown) =>
        e instanceof CrossdockError && e.code === 'EDI_VALUE_INVALID' && /^PID05:/.test(e.message),
    );
  });

  test('the 997 for a rejected 850 names the segment and element (AK3/AK4), and reads back', () => {
    const text = SAMPLE.replace('PO1*1*12*EA', 'PO1*1*twelve*EA');
    const { parsed, group, set } = only850(text);
    const read = read850(group, set);
    assert.equal(read.ok, false);
    const errors = [...parsed.errors, ...(read.ok ? [] : read.errors)];
    const [ack] = acknowledge(parsed.interchange, errors);
    const body = write997(group, ack!, errors, '004010');
    assert.deepEqual(body, [
      ['AK1', 'PO', '4711'],
      ['AK2', '850', '0001'],
      ['AK3', 'PO1', '9', '', '8'],
      ['AK4', '2', '', '6', 'twelve'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    const reply = writeInterchange({
      sender: { qualifier: 'ZZ', id: 'CROSSDOCKDIST' },
      receiver: { qualifier: 'ZZ', id: 'NORTHWINDRETL' },
      control: 9,
      version: '004010',
      usage: 'T',
      ackRequested: false,
      at: AT,
      groups: [
        {
          functionalId: 'FA',
          sender: 'CROSSDOCKDIST',
          receiver: 'NORTHWINDRETL',
          control: 9,
          transactions: [{ id: '997', control: '0001', segments: body }],
        },
      ],
    });
    const back = parseInterchange(reply);
    assert.deepEqual(back.errors, []);
    const read997back = read997(back.interchange.groups[0]!.transactions[0]!);
    assert.equal(read997back?.groupControl, '4711');
    assert.equal(read997back?.status, 'R');
    assert.deepEqual(read997back?.sets[0]?.errors, [
      { segment: 'PO1', position: '9', code: '8', elements: ['2  6 twelve'] },
    ]);
  });

  test('a TA1 answers an envelope fault; the 855 carries a status per line, a backordered rest as a second ACK', () => {
    const { parsed } = only850(SAMPLE.replace('IEA*1*000004711', 'IEA*1*000004712'));
    assert.deepEqual(ta1(parsed.interchange, parsed.errors), [
      'TA1',
      '000004711',
      '261205',
      '0930',
      'R',
      '001',
    ]);
    const line1 = {
      lineNumber: '1',
      quantityOrdered: 15,
      uom: 'EA',
      unitPrice: 14.5,
      items: { BP: 'NW-DESK-ORG' },
      status: 'IA',
      quantity: 12,
      shipDate: '2026-12-12',
    } as const;
    const body = write855({
      poNumber: 'NW-PO-88120',
      poDate: '2026-12-05',
      orderName: 'S00140',
      at: AT,
      lines: [
        { ...line1, backordered: 3 },
        {
          lineNumber: '2',
          quantityOrdered: 4,
          uom: 'EA',
          unitPrice: 95,
          items: { UP: '012345678905' },
          status: 'IR',
          quantity: 0,
          shipDate: null,
        },
      ],
    });
    assert.deepEqual(body, [
      ['BAK', '00', 'AC', 'NW-PO-88120', '20261205', '', '', '', 'S00140', '20261205'],
      ['PO1', '1', '15', 'EA', '14.5', '', 'BP', 'NW-DESK-ORG'],
      ['ACK', 'IA', '12', 'EA', '068', '20261212'],
      ['ACK', 'IB', '3', 'EA'],
      ['PO1', '2', '4', 'EA', '95', '', 'UP', '012345678905'],
      ['ACK', 'IR', '0', 'EA'],
      ['CTT', '2'],
    ]);
    const shipsInPart = write855({
      poNumber: 'NW-PO-88121',
      poDate: '2026-12-05',
      orderName: 'S00141',
      at: AT,
      lines: [{ ...line1, backordered: 3 }],
    });
    assert.equal(shipsInPart[0]![2], 'AC', 'a backordered part is a change');
  });

  test('the 810 carries the invoice, the PO number, each line with its ids, and the total in cents', () => {
    assert.deepEqual(
      write810({
        invoiceNumber: 'INV/2026/00012',
        invoiceDate: '2026-12-21',
        poNumber: 'NW-PO-88120',
        orderName: 'S00140',
        total: 1234.5,
        lines: [
          {
            quantity: 12,
            uom: 'EA',
            unitPrice: 14.5,
            items: { BP: 'NW-DESK-ORG', VP: 'FURN_0001' },
          },
        ],
      }),
      [
        ['BIG', '20261221', 'INV/2026/00012', '', 'NW-PO-88120'],
        ['REF', 'VN', 'S00140'],
        ['IT1', '1', '12', 'EA', '14.5', '', 'BP', 'NW-DESK-ORG', 'VP', 'FURN_0001'],
        ['TDS', '123450'],
        ['CTT', '1'],
      ],
    );
  });

  test('the 856 nests shipment, order and items (HL S, O, I) and counts the levels', () => {
    assert.deepEqual(
      write856({
        shipmentId: 'WH/OUT/00140',
        shippedAt: AT,
        carrier: 'swiftpost',
        trackingRef: 'SP123',
        shipTo: { code: '0042', name: 'Store 0042' },
        poNumber: 'NW-PO-88120',
        items: [{ quantity: 12, uom: 'EA', items: { BP: 'NW-DESK-ORG' } }],
      }),
      [
        ['BSN', '00', 'WH/OUT/00140', '20261205', '0930', '0001'],
        ['HL', '1', '', 'S'],
        ['TD5', 'B', 'ZZ', 'swiftpost'],
        ['REF', 'CN', 'SP123'],
        ['DTM', '011', '20261205'],
        ['N1', 'ST', 'Store 0042', '92', '0042'],
        ['HL', '2', '1', 'O'],
        ['PRF', 'NW-PO-88120'],
        ['HL', '3', '2', 'I'],
        ['LIN', '', 'BP', 'NW-DESK-ORG'],
        ['SN1', '', '12', 'EA'],
        ['CTT', '3'],
      ],
    );
  });
});

describe('the 860 purchase order change and the 865 answer', () => {
  const CHANGE = readFileSync(new URL('../fixtures/edi/860-004010.edi', import.meta.url), 'utf8');

  test('the sample 860: the PO, its change sequence and date, each POC line read', () => {
    const { parsed, group, set } = only850(CHANGE);
    assert.deepEqual(parsed.errors, []);
    assert.equal(group.functionalId, 'PC');
    const read = read860(group, set);
    assert.ok(read.ok, JSON.stringify(!read.ok && read.errors));
    assert.deepEqual(
      { ...read.document, lines: read.document.lines.map((l) => ({ ...l, positionInSet: 0 })) },
      {
        purpose: '04',
        poNumber: 'NW-PO-88120',
        changeSequence: '2',
        poDate: '2026-12-05',
        requestedDelivery: '2026-12-19',
        lines: [
          {
            lineNumber: '1',
            change: 'QI',
            quantity: 18,
            uom: 'EA',
            unitPrice: 14.5,
            items: { BP: 'NW-DESK-ORG', VP: 'FURN_0001' },
            positionInSet: 0,
          },
          {
            lineNumber: '2',
            change: 'DI',
            quantity: 0,
            uom: 'EA',
            unitPrice: null,
            items: { UP: '012345678905' },
            positionInSet: 0,
          },
          {
            lineNumber: '3',
            change: 'AI',
            quantity: 2,
            uom: 'CA',
            unitPrice: 120,
            items: { BP: 'NW-BOX-10' },
            positionInSet: 0,
          },
        ],
      },
    );
  });

  test('an unknown change code, a missing quantity, a purpose we do not act on and a wrong CTT are named', () => {
    const bad = CHANGE.replace('BCH*04*', 'BCH*02*')
      .replace('POC*1*QI*18*', 'POC*1*XX*18*')
      .replace('POC*3*AI*2*', 'POC*3*AI**')
      .replace('CTT*3~', 'CTT*4~');
    const { group, set } = only850(bad);
    const read = read860(group, set);
    assert.ok(!read.ok);
    assert.deepEqual(read.errors.map(brief), [
      'transaction BCH@2.1 7',
      'transaction POC@6.2 7',
      'transaction POC@9.3 1',
      'transaction CTT@11.1 7',
    ]);
  });

  test('the 865 says AT, AC or RJ with our order, and a POC and ACK per line', () => {
    const line = {
      lineNumber: '1',
      change: 'QI' as const,
      quantity: 18,
      uom: 'EA',
      unitPrice: null,
      items: { BP: 'NW-DESK-ORG' },
    };
    const ack = {
      purpose: '04' as const,
      poNumber: 'NW-PO-88120',
      poDate: '2026-12-05',
      changeSequence: '2',
      orderName: 'S00042',
      refused: false,
      requestedDelivery: '2026-12-19',
      lines: [
        { ...line, status: 'IA' as const },
        { ...line, lineNumber: '9', status: 'IR' as const },
      ],
      at: AT,
    };
    assert.deepEqual(write865(ack), [
      ['BCA', '04', 'AC', 'NW-PO-88120', '', '2', '20261205', '', '', 'S00042', '20261205'],
      ['DTM', '002', '20261219'],
      ['POC', '1', 'QI', '18', '', 'EA', '', '', 'BP', 'NW-DESK-ORG'],
      ['ACK', 'IA', '18', 'EA'],
      ['POC', '9', 'QI', '18', '', 'EA', '', '', 'BP', 'NW-DESK-ORG'],
      ['ACK', 'IR', '0', 'EA'],
      ['CTT', '2'],
    ]);
    assert.equal(write865({ ...ack, lines: [ack.lines[0]!] })[0]![2], 'AT');
    assert.deepEqual(write865({ ...ack, refused: true })[0]![2], 'RJ');
    assert.equal(write865({ ...ack, refused: true })[1]![0], 'POC');
  });
});
