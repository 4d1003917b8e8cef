import { CrossdockError, type ErrorCode } from '../errors/index.ts';

/**
 * The typed fields an action asks for before it can be taken (book by hand: the carrier and
 * the tracking reference). The dashboard draws one form field per input; the service checks
 * them and refuses with one detail per bad field (`inputs.<name>`), so the form shows each
 * message next to its field.
 */
export interface ActionInput {
  name: string;
  label: string;
  /** text: one line; note: several lines. */
  kind: 'text' | 'note';
  required: boolean;
  maxLength: number;
  /** A value must match it (checked after trimming); `hint` says what it accepts. */
  pattern?: string;
  hint?: string;
  /** Values to pick from, free text allowed besides them (the configured carriers). */
  suggestions?: string[];
  /**
   * A value given to one case may not be given to another (a tracking reference belongs to
   * one parcel): checked under a lock on the value in the action's transaction, refused
   * with this code.
   */
  unique?: ErrorCode;
}

/** A tracking reference as carriers print them: letters, digits, '-', '_', '.', '/', 4 to 40. */
const TRACKING_REF = '^[A-Za-z0-9][A-Za-z0-9._/-]{3,39}$';

/** What each action needs besides the optional note; actions absent here need nothing. */
export function actionInputs(
  action: string,
  carrierCodes: readonly string[],
): ActionInput[] | null {
  if (action !== 'book_by_hand') return null;
  return [
    {
      name: 'carrier',
      label: 'Carrier',
      kind: 'text',
      required: true,
      maxLength: 100,
      // Odoo's shipping method is found by this name with =ilike, where % matches anything.
      pattern: '^[^%]+$',
      hint: 'a configured carrier, or the name of the one you booked with (without %)',
      suggestions: [...carrierCodes],
    },
    {
      name: 'tracking_ref',
      label: 'Tracking reference',
      kind: 'text',
      required: true,
      maxLength: 40,
      pattern: TRACKING_REF,
      unique: 'TRACKING_REF_IN_USE',
      hint: "as the carrier gave it: 4 to 40 letters, digits, '-', '_', '.', '/', no spaces",
    },
    { name: 'note', label: 'Note', kind: 'note', required: false, maxLength: 2000 },
  ];
}

/**
 * Checks the values given for an action's inputs: every required one present, none too
 * long or malformed, nothing the action does not take. Returns the trimmed values.
 */
export function checkActionInputs(
  caseId: string,
  action: string,
  specs: ActionInput[],
  given: Record<string, unknown>,
): Record<string, string> {
  const problems: { path: string; message: string }[] = [];
  const values: Record<string, string> = {};
  for (const name of Object.keys(given))
    if (!specs.some((s) => s.name === name))
      problems.push({
        path: `inputs.${name}`,
        message: `"${action}" takes no input "${name}" (it takes ${specs.map((s) => s.name).join(', ')})`,
      });
  for (const spec of specs) {
    const raw = given[spec.name];
    const path = `inputs.${spec.name}`;
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      problems.push({ path, message: `${spec.label} must be text` });
      continue;
    }
    const value = (raw ?? '').trim();
    if (value === '') {
      if (spec.required) problems.push({ path, message: `${spec.label} is required` });
      continue;
    }
    if (value.length > spec.maxLength)
      problems.push({ path, message: `${spec.label} is at most ${spec.maxLength} characters` });
    else if (spec.pattern && !new RegExp(spec.pattern).test(value))
      problems.push({ path, message: `${spec.label} must be ${spec.hint ?? spec.pattern}` });
    else values[spec.name] = value;
  }
  if (problems.length > 0)
    throw new CrossdockError(
      'EXCEPTION_ACTION_INPUT_INVALID',
      `The action "${action}" on exception case ${caseId} needs valid inputs: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { category: 'user', retryable: false, details: problems },
    );
  return values;
}
