/**
 * What the delay-risk model knows of a delivery: its carrier, its lane (the warehouse it
 * leaves from, the destination country and zip prefix), the weekday of its promised date,
 * its product class and how busy its warehouse was. The same features describe a delivery of
 * the history (labelled late or on time) and an open one (scored); they are written one a
 * line (`carrier=dhl_express`), the model's words.
 */

export const DELAY_RISK_USE = 'delay_risk';
/** The two classes of the model. */
export const LATE = 'late';
export const ON_TIME = 'on_time';

export interface DeliveryFeatures {
  /** The carrier's name; null when the delivery has none. */
  carrier: string | null;
  /** The warehouse it leaves from (its code or name). */
  warehouse: string;
  /** The destination's ISO country code, null when unknown. */
  country: string | null;
  /** The destination's zip code (only its first two characters are used). */
  zip: string | null;
  /** The promised date: its UTC weekday is the feature. */
  promised: Date;
  /** The product class (the product category of its first line), null when unknown. */
  productClass: string | null;
  /** Open outgoing deliveries of the same warehouse when this one was created. */
  backlog: number;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Backlog bands: fewer than 10 open deliveries is low, fewer than 30 medium, else high. */
export function backlogBand(open: number): 'low' | 'medium' | 'high' {
  return open < 10 ? 'low' : open < 30 ? 'medium' : 'high';
}

const word = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'unknown';

/**
 * The features as the model's words, one a line. The lane is the warehouse and the
 * destination's country and zip prefix together (the country alone when there is no zip):
 * given twice, by country and by zip, naive Bayes would count one fact twice and grow
 * overconfident (docs/decisions/0057-delay-risk-model.md).
 */
export function featureText(f: DeliveryFeatures): string {
  const warehouse = word(f.warehouse);
  const country = f.country ? word(f.country) : 'unknown';
  const zip = f.zip ? word(f.zip.slice(0, 2)) : null;
  return [
    `carrier=${f.carrier ? word(f.carrier) : 'none'}`,
    `lane=${warehouse}>${country}${zip ? `-${zip}` : ''}`,
    `weekday=${WEEKDAYS[f.promised.getUTCDay()]}`,
    `class=${f.productClass ? word(f.productClass) : 'unknown'}`,
    `backlog=${backlogBand(f.backlog)}`,
  ].join('\n');
}

const DAY_MS = 86_400_000;

/**
 * Late: validated (shipped) after the end of its promised day, in UTC. A delivery done on its
 * promised day is on time, whatever the hour.
 */
export function isLate(promised: Date, done: Date): boolean {
  const endOfDay = Math.floor(promised.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  return done.getTime() >= endOfDay;
}
