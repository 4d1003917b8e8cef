/**
 * ASC X12 (004010, 005010): the codec (read an interchange with the separators its ISA
 * names, check envelopes, control numbers and counts; write interchanges), functional
 * acknowledgments (997, TA1) and the documents (850 and 860 in; 855, 865, 856, 810 out). Pure: no store, no I/O.
 */
export * from './x12/model.ts';
export {
  parseInterchange,
  readDelimiters,
  splitSegments,
  type ParsedInterchange,
} from './x12/parse.ts';
export {
  FUNCTIONAL_IDS,
  X12_VERSIONS,
  writeInterchange,
  writeSegment,
  x12Date,
  x12Time,
  type GroupToWrite,
  type InterchangeToWrite,
  type SegmentData,
  type SetToWrite,
  type X12Version,
} from './x12/generate.ts';
export {
  acknowledge,
  read997,
  ta1,
  write997,
  type AckStatus,
  type GroupAck,
  type SetAck,
} from './x12/ack.ts';
export {
  ITEM_QUALIFIERS,
  isoDate,
  read850,
  type ItemQualifier,
  type PurchaseOrder,
  type PurchaseOrderLine,
  type ReadResult,
} from './documents/po850.ts';
export {
  CHANGE_CODES,
  read860,
  type ChangeCode,
  type PurchaseOrderChange,
  type PurchaseOrderChangeLine,
} from './documents/po-change860.ts';
export {
  changeAckType,
  write865,
  type ChangeAckLine,
  type PurchaseOrderChangeAck,
} from './documents/po-change-ack865.ts';
export { write810, type Invoice, type InvoiceLine } from './documents/invoice810.ts';
export { write856, type ShipNotice, type ShipNoticeItem } from './documents/ship-notice856.ts';
export {
  LineStatus,
  ackType,
  write855,
  type AckLine,
  type PurchaseOrderAck,
} from './documents/po-ack855.ts';
