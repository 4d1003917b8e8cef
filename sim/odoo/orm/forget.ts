/**
 * Forgetting old business documents, for a simulator left running for hours (the demo):
 * kept whole, its orders, transfers, invoices and their chatter grow without end (about
 * 0.6 MB a minute at the demo's 2 orders/s), where a real Odoo keeps them in its own
 * database. Only the caller decides when (`SimDatabase.forget`); a simulator is never told to
 * by default, so tests see every record.
 *
 * What goes: records of the document models (and of every wizard) created in the window
 * given; then, until nothing more goes, document records that point at a forgotten one
 * (a return created later for a forgotten delivery) and the chatter, activities and
 * attachments of forgotten records. Master data (partners, products, stock levels,
 * locations) stays. Forgotten rows leave the store outright, row versions included.
 *
 * Documents the caller still needs stay, however old (`keep`: a demo's runs that wait for
 * hours name their order or delivery): those it names, and every document linked to one of
 * them, either way, until no more are linked (an order's lines, deliveries, moves, invoices
 * and chatter; a delivery's order; a kept move's origin moves), so that nothing kept points
 * at a record that went.
 */
import type { Registry } from './model.ts';
import type { Row, Store } from './store.ts';

/** The business documents a running demo creates without end. */
export const DOCUMENT_MODELS: readonly string[] = [
  'sale.order',
  'sale.order.line',
  'purchase.order',
  'purchase.order.line',
  'stock.picking',
  'stock.move',
  'stock.move.line',
  'stock.scrap',
  'account.move',
  'account.move.line',
  'mail.message',
  'mail.tracking.value',
  'mail.activity',
  'ir.attachment',
];

/** Models that hang on any record by (model, res_id) rather than by a many2one. */
const ATTACHED: readonly { model: string; modelField: string }[] = [
  { model: 'mail.message', modelField: 'model' },
  { model: 'mail.activity', modelField: 'res_model' },
  { model: 'ir.attachment', modelField: 'res_model' },
];

/** What a caller still needs: documents whose id, or whose name or reference, it gives. */
export interface ForgetKeep {
  /** Record ids by model ("stock.picking" -> its ids). */
  ids: ReadonlyMap<string, ReadonlySet<number>>;
  /** Matched against a document's name, client_order_ref, origin and ref. */
  names: ReadonlySet<string>;
}

const NAMED_BY: readonly string[] = ['name', 'client_order_ref', 'origin', 'ref'];

/**
 * Removes what was created from `since` to `before` ("YYYY-MM-DD HH:MM:SS.mmm", naive UTC as
 * create_date is stored) and what hangs on it; answers how many records of each model went.
 * Records from before `since` (the seed data: overdue invoices, earlier orders) stay.
 */
export function forgetCreated(
  store: Store,
  registry: Registry,
  since: string,
  before: string,
  keep?: ForgetKeep,
): Record<string, number> {
  const models = [
    ...DOCUMENT_MODELS,
    ...registry.names().filter((name) => registry.get(name)!.transient === true),
  ].filter((name) => registry.get(name) !== undefined);
  const kept = keep ? keptDocuments(store, registry, models, keep) : null;
  const gone = new Map<string, Set<number>>(models.map((m) => [m, new Set<number>()]));
  for (const model of models)
    for (const [id, row] of store.table(model))
      if (
        typeof row.create_date === 'string' &&
        row.create_date >= since &&
        row.create_date < before &&
        kept?.get(model)?.has(id) !== true
      )
        gone.get(model)!.add(id);
  for (let added = true; added;) {
    added = false;
    for (const model of models)
      for (const [id, row] of store.table(model)) {
        if (gone.get(model)!.has(id) || !hangsOn(registry, model, row, gone)) continue;
        if (kept?.get(model)?.has(id) === true) continue;
        gone.get(model)!.add(id);
        added = true;
      }
  }
  const counts: Record<string, number> = {};
  for (const [model, ids] of gone) {
    if (ids.size === 0) continue;
    store.drop(model, ids);
    counts[model] = ids.size;
  }
  return counts;
}

/** The documents `keep` names, and every document linked to one of them, either way. */
function keptDocuments(
  store: Store,
  registry: Registry,
  models: readonly string[],
  keep: ForgetKeep,
): Map<string, Set<number>> {
  const kept = new Map<string, Set<number>>(models.map((m) => [m, new Set<number>()]));
  for (const model of models)
    for (const [id, row] of store.table(model))
      if (keep.ids.get(model)?.has(id) || NAMED_BY.some((f) => keep.names.has(row[f] as string)))
        kept.get(model)!.add(id);
  for (let added = true; added;) {
    added = false;
    for (const model of models)
      for (const [id, row] of store.table(model)) {
        const mine = kept.get(model)!;
        if (!mine.has(id)) {
          if (hangsOn(registry, model, row, kept)) {
            mine.add(id);
            added = true;
          }
          continue;
        }
        for (const [target, targetId] of pointsAt(registry, model, row)) {
          const theirs = kept.get(target);
          if (theirs && !theirs.has(targetId)) {
            theirs.add(targetId);
            added = true;
          }
        }
      }
  }
  return kept;
}

/** The (model, id) pairs a row points at through its many2one and many2many fields. */
function pointsAt(registry: Registry, model: string, row: Row): [string, number][] {
  const pairs: [string, number][] = [];
  for (const [name, field] of Object.entries(registry.get(model)!.fields)) {
    const value = row[name];
    if (!field.relation) continue;
    if (field.type === 'many2one' && typeof value === 'number') pairs.push([field.relation, value]);
    if (field.type === 'many2many' && Array.isArray(value))
      for (const id of value) if (typeof id === 'number') pairs.push([field.relation, id]);
  }
  const attached = ATTACHED.find((a) => a.model === model);
  if (attached && typeof row[attached.modelField] === 'string')
    pairs.push([row[attached.modelField] as string, Number(row.res_id)]);
  return pairs;
}

function hangsOn(
  registry: Registry,
  model: string,
  row: Row,
  gone: Map<string, Set<number>>,
): boolean {
  const attached = ATTACHED.find((a) => a.model === model);
  if (attached) {
    const owner = row[attached.modelField];
    if (typeof owner === 'string' && gone.get(owner)?.has(Number(row.res_id)) === true) return true;
  }
  for (const [name, field] of Object.entries(registry.get(model)!.fields)) {
    const targets = gone.get(field.relation ?? '');
    if (!targets || targets.size === 0) continue;
    const value = row[name];
    if (field.type === 'many2one' && typeof value === 'number' && targets.has(value)) return true;
    if (field.type === 'many2many' && Array.isArray(value) && value.some((id) => targets.has(id)))
      return true;
  }
  return false;
}
