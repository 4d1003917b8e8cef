/**
 * Dispatches a model method call the way Odoo's execute_kw does: unknown model
 * (UserError "Object x doesn't exist"), private method (AccessError), unknown method
 * (AttributeError), then the method with `context` taken out of the kwargs.
 * `args` given as an object is unpacked like Python's *args: its keys become the
 * positional arguments (error-args-not-list).
 */
import { py } from '../errors.ts';
import type { Env } from './env.ts';
import { genericMethods } from './methods.ts';

function positional(args: unknown): unknown[] {
  if (Array.isArray(args)) return args;
  if (typeof args === 'object' && args !== null) return Object.keys(args);
  if (typeof args === 'string') return [...args];
  return [];
}

export async function callModelMethod(
  env: Env,
  modelName: string,
  method: string,
  args: unknown,
  kwargs: unknown,
): Promise<unknown> {
  const model = env.model(modelName);
  if (method.startsWith('_')) {
    throw py.accessError(env.runtime.messages.privateMethod(modelName, method));
  }
  const implementation = model.methods?.[method] ?? genericMethods(modelName)[method];
  if (implementation === undefined) {
    throw py.attributeError(`The method '${method}' does not exist on the model '${modelName}'`);
  }
  const keywordArgs =
    typeof kwargs === 'object' && kwargs !== null && !Array.isArray(kwargs)
      ? { ...(kwargs as Record<string, unknown>) }
      : {};
  const context = keywordArgs.context;
  delete keywordArgs.context;
  const callEnv =
    typeof context === 'object' && context !== null
      ? env.withContext(context as Record<string, unknown>)
      : env;
  return implementation(callEnv, { args: positional(args), kwargs: keywordArgs });
}
