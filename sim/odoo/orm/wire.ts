/**
 * Markers for values whose Python type matters on the wire but is lost in JavaScript:
 * - PyFloat: a float field value; XML-RPC writes it as <double> even when integral
 *   (JSON cannot tell 5.0 from 5, XML-RPC can);
 * - Recordset: a method returned records; JSON-RPC prints it as Python's repr
 *   "mail.activity(18,)", XML-RPC cannot marshal it, JSON-2 sends its ids.
 * `undefined` as a method result stands for Python's None.
 */

export class PyFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }

  toJSON(): number {
    return this.value;
  }
}

export class Recordset {
  readonly model: string;
  readonly ids: readonly number[];

  constructor(model: string, ids: readonly number[]) {
    this.model = model;
    this.ids = ids;
  }

  /** Python's repr of a recordset: the ids as a tuple, e.g. "mail.activity(18,)". */
  toJSON(): string {
    const tuple = this.ids.length === 1 ? `${this.ids[0]},` : this.ids.join(', ');
    return `${this.model}(${tuple})`;
  }
}

/** Replaces markers by plain JSON values (floats as numbers, recordsets as their ids). */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (value instanceof Recordset) return [...value.ids];
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, toPlainJson(member)]),
    );
  }
  return value;
}

/** Rounds like Odoo's float_round(HALF-UP), correcting binary representation error first. */
export function roundHalfUp(value: number, digits: number): number {
  const factor = 10 ** digits;
  const normalized = value * factor;
  const epsilon = 2 ** (Math.log2(Math.abs(normalized) || 1) - 50);
  return Math.round(normalized + Math.sign(normalized) * epsilon) / factor;
}
