/**
 * odoo.create, odoo.write and odoo.call. Each states how a repeat of the same step
 * (a retry after an ambiguous failure, a crash before the checkpoint, a replay) stays
 * harmless, next to the call that writes.
 */
import { z } from 'zod';
import { CrossdockError } from '../../../errors/index.ts';
import { dynamic, isExpressionString, type StepType } from '../../../workflows/index.ts';
import {
  brief,
  callOptions,
  connection,
  fieldName,
  holdsCreateCommand,
  modelName,
  onConnection,
  recordIdsSchema,
  resolved,
  toWriteValues,
  valuesSchema,
  type OdooClientPool,
} from './shared.ts';

const CreateConfig = z
  .strictObject({
    connection,
    model: modelName(),
    values: dynamic(valuesSchema),
    /** The field that carries the caller's key for this record, and the key. Required: it is what makes a repeat find the record instead of creating another. */
    external_ref: z.strictObject({
      field: fieldName(),
      value: dynamic(z.union([z.string().min(1), z.int()])),
      /**
       * Fields the key is unique within (a customer's PO number: `{ partner_id: 14 }`): the
       * search matches them too, and the record is created with them. Two customers may then
       * use the same key without meeting on one record.
       */
      scope: dynamic(z.record(fieldName(), z.union([z.string().min(1), z.int()]))).optional(),
    }),
  })
  .superRefine((config, issues) => {
    if (typeof config.values !== 'object') return;
    const given = config.values[config.external_ref.field];
    if (
      given !== undefined &&
      !isExpressionString(given) &&
      !isExpressionString(config.external_ref.value) &&
      given !== config.external_ref.value
    ) {
      issues.addIssue({
        code: 'custom',
        path: ['values', config.external_ref.field],
        message: `differs from external_ref.value; set the key in external_ref only`,
      });
    }
  });
type CreateConfig = z.output<typeof CreateConfig>;

export function createStep(pool: OdooClientPool): StepType<CreateConfig> {
  return {
    type: 'odoo.create',
    description: 'Creates an Odoo record once per external reference; output { id, created }',
    config: CreateConfig as z.ZodType<CreateConfig>,
    sideEffect: true,
    ownIdempotency: 'finds its record by external_ref',
    // Two executions with one key (a run claimed again while the first was inside, or two runs
    // creating one reference) would both find nothing and both create: they run one at a time.
    serializeOn: (c) =>
      `odoo:${c.connection}:${String(c.model)}:${c.external_ref.field}=${JSON.stringify(c.external_ref.value)}`,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const { field } = config.external_ref;
      const key = config.external_ref.value;
      const scope = scopeOf(config);
      // Archived records count too (active_test false): re-creating one would duplicate the key.
      const find = () =>
        client.call<number[]>(
          config.model,
          'search',
          [[[field, '=', key], ...Object.entries(scope).map(([f, v]) => [f, '=', v])]],
          { limit: 2, context: { active_test: false } },
          undefined,
          callOptions(ctx, true),
        );
      const existing = await find();
      if (existing.length > 1) {
        throw new CrossdockError(
          'ODOO_EXTERNAL_REF_AMBIGUOUS',
          `${existing.length} or more ${config.model} records have ${field} = ${JSON.stringify(key)}${describeScope(scope)}; the step cannot tell which one is its own`,
          { category: 'user', retryable: false },
        );
      }
      if (existing[0] !== undefined)
        return { kind: 'done', output: { id: existing[0], created: false } };
      // Idempotency: the record carries the key, so any repeat of this step finds it above.
      // Not marked idempotent: after a timeout the client does not send it again; the
      // engine's retry searches first. Odoo has no unique index on most reference fields, so
      // executions with the same key do not overlap (serializeOn): the next one looks after
      // this one has created.
      const values = {
        ...toWriteValues(resolved(config.values, 'values')),
        ...scope,
        [field]: key,
      };
      const id = await client.call<number>(
        config.model,
        'create',
        [values],
        {},
        undefined,
        callOptions(ctx, false),
      );
      return { kind: 'done', output: { id, created: true } };
    },
    describe: (c) =>
      `would create ${c.model} with ${c.external_ref.field} = ${JSON.stringify(c.external_ref.value)}${c.external_ref.scope && typeof c.external_ref.scope === 'object' ? describeScope(c.external_ref.scope) : ''} unless it exists, values ${brief(sentValues(c.values))}${onConnection(c.connection)}`,
  };
}

/**
 * The scope's fields and values; a value the step's `values` also sets must be the same (the
 * record is created with the scope, so a differing value could never be found again).
 */
function scopeOf(config: CreateConfig): Record<string, string | number> {
  const scope = (config.external_ref.scope ?? {}) as Record<string, string | number>;
  const values = resolved(config.values, 'values') as Record<string, unknown>;
  const clash = Object.keys(scope).filter(
    (f) => values[f] !== undefined && JSON.stringify(values[f]) !== JSON.stringify(scope[f]),
  );
  if (clash.length > 0)
    throw new CrossdockError(
      'STEP_CONFIG_INVALID',
      `odoo.create ${config.model}: values ${clash.join(', ')} differ from external_ref.scope; set them in the scope only`,
      {
        category: 'user',
        retryable: false,
        details: clash.map((f) => ({
          path: `values.${f}`,
          message: 'differs from external_ref.scope',
        })),
      },
    );
  return scope;
}

const describeScope = (scope: Record<string, unknown>) =>
  Object.keys(scope).length === 0
    ? ''
    : ` within ${Object.entries(scope)
        .map(([f, v]) => `${f} = ${JSON.stringify(v)}`)
        .join(', ')}`;

const WriteConfig = z
  .strictObject({
    connection,
    model: modelName(),
    ids: dynamic(recordIdsSchema),
    values: dynamic(
      valuesSchema.refine((values) => Object.keys(values).length > 0, 'nothing to write'),
    ),
  })
  .superRefine((config, issues) => {
    if (typeof config.values !== 'object') return;
    const field = holdsCreateCommand(config.values);
    if (field !== null) {
      issues.addIssue({
        code: 'custom',
        path: ['values', field],
        message:
          'an x2many create command [0, 0, {...}] would create again on every repeat of the step; create the line with odoo.create (external_ref) instead',
      });
    }
  });
type WriteConfig = z.output<typeof WriteConfig>;

export function writeStep(pool: OdooClientPool): StepType<WriteConfig> {
  return {
    type: 'odoo.write',
    description:
      'Writes values on Odoo records; repeating the same write is harmless; output { ids }',
    config: WriteConfig as z.ZodType<WriteConfig>,
    sideEffect: true,
    ownIdempotency: 'writes the same values again',
    async execute(ctx, config) {
      const ids = resolved(config.ids, 'ids');
      // Idempotency: writing the same values again leaves the records as they are (x2many
      // create commands are refused by the schema), so the client may repeat it by itself.
      await pool
        .get(config.connection)
        .call(
          config.model,
          'write',
          [ids, toWriteValues(resolved(config.values, 'values'))],
          {},
          undefined,
          callOptions(ctx, true),
        );
      return { kind: 'done', output: { ids } };
    },
    describe: (c) =>
      `would write ${brief(sentValues(c.values))} on ${c.model} ${brief(c.ids)}${onConnection(c.connection)}`,
  };
}

/** For descriptions: the values as they would be sent (pairs as ids). */
function sentValues(values: Record<string, unknown> | string): unknown {
  return typeof values === 'string' ? values : toWriteValues(values);
}

const PUBLIC_METHOD = /^[A-Za-z][A-Za-z0-9_]*$/;

const CallConfig = z.strictObject({
  connection,
  model: modelName(),
  method: z
    .string()
    .regex(
      PUBLIC_METHOD,
      'a public Odoo method name (methods starting with "_" cannot be called remotely)',
    ),
  args: dynamic(z.array(z.unknown())).default([]),
  kwargs: dynamic(z.record(z.string(), z.unknown())).default({}),
  context: dynamic(z.record(z.string(), z.unknown())).optional(),
  /**
   * Makes a state transition safe to repeat: when every record in args[0] already matches
   * this domain (e.g. [["state", "=", "sale"]] for action_confirm), the call is skipped.
   */
  done_when: dynamic(z.array(z.unknown())).optional(),
  /** The method is safe to repeat: the client may send it again after a timeout. */
  idempotent: z.boolean().default(false),
});
type CallConfig = z.output<typeof CallConfig>;

export function callStep(pool: OdooClientPool): StepType<CallConfig> {
  return {
    type: 'odoo.call',
    description: 'Calls a public method of an Odoo model; output { result, skipped }',
    config: CallConfig as z.ZodType<CallConfig>,
    sideEffect: true,
    ownIdempotency: 'skips records that already match done_when, else calls the method again',
    // With done_when it looks, then acts: a second call racing the first would find the records
    // not done yet and call again (action_post twice is Odoo's UserError), so the records' key is held.
    serializeOn(c) {
      if (c.done_when === undefined || !Array.isArray(c.args)) return null;
      const ids = recordIdsSchema.safeParse(c.args[0]);
      return ids.success
        ? `odoo:${c.connection}:${String(c.model)}:${[...ids.data].sort((a, b) => a - b).join(',')}`
        : null;
    },
    // `idempotent: true` declares the method itself safe to repeat.
    unsafeToRepeat: (c) =>
      c.done_when === undefined && !c.idempotent
        ? `odoo.call of ${c.model}.${c.method} has no done_when (nor idempotent: true): a repeat (a retry, a crash, a replay) calls the method again`
        : null,
    async execute(ctx, config) {
      const client = pool.get(config.connection);
      const args = resolved(config.args, 'args');
      const context =
        config.context === undefined ? undefined : resolved(config.context, 'context');
      if (config.done_when !== undefined) {
        const ids = recordIdsSchema.safeParse(args[0]);
        if (!ids.success)
          throw new CrossdockError(
            'STEP_CONFIG_INVALID',
            'with.done_when needs the record ids as the first of args',
            { category: 'user', retryable: false },
          );
        const domain = [['id', 'in', ids.data], ...resolved(config.done_when, 'done_when')];
        const done = await client.call<number>(
          config.model,
          'search_count',
          [domain],
          { context: { active_test: false } },
          undefined,
          callOptions(ctx, true),
        );
        if (done === ids.data.length)
          return { kind: 'done', output: { result: null, skipped: true } };
      }
      // Idempotency: only as good as the method's own (or done_when's); see the docs.
      const result = await client.call(
        config.model,
        config.method,
        args,
        resolved(config.kwargs, 'kwargs'),
        context,
        callOptions(ctx, config.idempotent),
      );
      return { kind: 'done', output: { result: result ?? null, skipped: false } };
    },
    describe: (c) =>
      `would call ${c.model}.${c.method}(${brief(c.args)}${Object.keys(c.kwargs).length > 0 ? `, ${brief(c.kwargs)}` : ''})${c.done_when ? ` unless already ${brief(c.done_when)}` : ''}${onConnection(c.connection)}`,
  };
}
