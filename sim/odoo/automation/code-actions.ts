/**
 * "Execute Code" server actions. The simulator has no Python: it recognises the code
 * snippets the lab rules used (automation-06/08/14) and refuses any other code with an
 * explicit error, rather than pretending to run it.
 */
import { PyError, py } from '../errors.ts';
import type { Env } from '../orm/env.ts';
import { postMessage } from '../models/mail.ts';
import { pyJsonDumps } from './py-json.ts';

const POST_PAYLOAD =
  /^record\.message_post\(body='([^']*)%s' % json\.dumps\(payload, sort_keys=True\)\)$/;
const POST_PAYLOAD_AS_ADMIN =
  /^record\.with_user\(env\.ref\('base\.user_admin'\)\)\.message_post\(body='([^']*)%s' % json\.dumps\(payload, sort_keys=True\)\)$/;
const RAISE_USER_ERROR = /^raise UserError\((['"])(.*)\1\)$/;

export interface CodeTarget {
  model: string;
  id: number;
  payload?: Record<string, unknown>;
}

/** Python's safe_eval wraps non-Odoo exceptions with the code that raised them. */
function whileEvaluating(error: PyError, code: string): PyError {
  if (error.isOdooException()) return error;
  return py.valueError(
    `<class '${error.shortName}'>: "${error.pyMessage}" while evaluating\n${JSON.stringify(code)}`,
  );
}

export async function runCodeAction(env: Env, code: string, target: CodeTarget): Promise<void> {
  const trimmed = code.trim();
  const raise = RAISE_USER_ERROR.exec(trimmed);
  if (raise !== null) throw py.userError(raise[2] ?? '');
  const asAdmin = POST_PAYLOAD_AS_ADMIN.exec(trimmed);
  const asCurrentUser = POST_PAYLOAD.exec(trimmed);
  const match = asAdmin ?? asCurrentUser;
  if (match !== null) {
    const body = `${match[1] ?? ''}${pyJsonDumps(target.payload ?? {}, { sortKeys: true })}`;
    const author = asAdmin !== null ? env.withUser(2) : env;
    try {
      await postMessage(author, target.model, target.id, { body });
    } catch (error) {
      throw error instanceof PyError ? whileEvaluating(error, trimmed) : error;
    }
    return;
  }
  throw py.exception(
    `The Crossdock Odoo simulator cannot run this Python code: ${trimmed.split('\n')[0] ?? ''}`,
  );
}
