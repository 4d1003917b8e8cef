/**
 * `crossdock odoo check`: what one Odoo connection can do for Crossdock, one line per
 * capability. A capability that is refused is a state of its line, never a failure of the
 * connection: the least-privilege integration user (docs/odoo-setup.md section 2) may not
 * read `base.automation`, and still reads orders. Only an unreachable server or a refused
 * login ends the connection's check early (the later lines would say nothing new).
 *
 * The check is a list of probes run in order; a probe appends its lines and may stop the
 * rest. Adding a line (a protocol advice, a new right) is adding a probe to CONNECTION_PROBES.
 */
import { isCrossdockError } from '../../errors/index.ts';
import type { LoadedWorkflow } from '../../workflows/index.ts';
import type { OdooClient } from './client.ts';
import { checkRules, type OdooSource, type RuleStatus } from './ingest/index.ts';
import { DEFAULT_CONNECTION } from './steps/shared.ts';
import { protocolAdvice, type OdooServerVersion } from './version.ts';

/**
 * ok; warning (works, but something will not happen: see the detail); missing (not set up:
 * a rule, a right, a model); forbidden (Odoo refused this user); failed (an error while
 * checking); unreachable (no server, or the login was refused: nothing else was checked).
 */
export const CheckState = {
  ok: 'ok',
  warning: 'warning',
  missing: 'missing',
  forbidden: 'forbidden',
  failed: 'failed',
  unreachable: 'unreachable',
} as const;
export type CheckState = (typeof CheckState)[keyof typeof CheckState];

export interface CapabilityCheck {
  /** What was checked: "connection", "login", "user", "read sale.order", "write stock.picking", "rule ...", "rules". */
  capability: string;
  state: CheckState;
  detail: string;
  /** The error code when Odoo answered with an error. */
  code?: string;
}

/** Exit codes of `crossdock odoo check` (documented in docs/odoo-setup.md section 5). */
export const OdooCheckExit = { ready: 0, notReady: 1, unreachable: 3 } as const;

/** What the check of a whole configuration exits with: unreachable wins, then any capability missing. */
export function checkExitCode(lines: readonly CapabilityCheck[]): number {
  if (lines.some((l) => l.state === 'unreachable')) return OdooCheckExit.unreachable;
  return lines.some((l) => l.state === 'missing' || l.state === 'forbidden' || l.state === 'failed')
    ? OdooCheckExit.notReady
    : OdooCheckExit.ready;
}

/** A model right Crossdock needs, and who needs it (the watch, or workflow/step). */
export interface OdooNeed {
  model: string;
  operation: 'read' | 'write';
  by: string;
}

const READS = new Set(['odoo.read', 'odoo.search_read']);
const WRITES = new Set(['odoo.write', 'odoo.create', 'odoo.call']);
const CHATTER: Record<string, string> = {
  'odoo.message_post': 'mail.message',
  'odoo.activity_schedule': 'mail.activity',
};

/**
 * The rights the workflows' Odoo steps on `connection` need, from their literal models (a
 * model given by an expression is known only at run time; a dry run checks it). Posting in
 * the chatter needs write on the record and reading back mail.message / mail.activity (how
 * a repeat finds what it posted); an approval step shown in Odoo needs both of those.
 */
export function odooNeeds(workflows: readonly LoadedWorkflow[], connection: string): OdooNeed[] {
  const needs: OdooNeed[] = [];
  for (const { definition } of workflows) {
    for (const step of definition.steps) {
      const by = `${definition.id}/${step.id}`;
      const w = step.with as Record<string, unknown>;
      const literal = (value: unknown) =>
        typeof value === 'string' && !value.trim().startsWith('=') ? value : null;
      if (step.type === 'approval') {
        const odoo = w.odoo as { connection?: unknown } | undefined;
        const model = literal((w.subject as { model?: unknown } | undefined)?.model);
        if (!odoo || (literal(odoo.connection) ?? DEFAULT_CONNECTION) !== connection) continue;
        if (model) needs.push({ model, operation: 'write', by });
        needs.push(
          { model: 'mail.message', operation: 'read', by },
          { model: 'mail.activity', operation: 'read', by },
        );
        continue;
      }
      if (
        !step.type.startsWith('odoo.') ||
        (literal(w.connection) ?? DEFAULT_CONNECTION) !== connection
      )
        continue;
      const model = literal(w.model);
      if (step.type === 'odoo.validate_picking')
        needs.push({ model: 'stock.picking', operation: 'write', by });
      if (step.type === 'odoo.invoice_from_order')
        needs.push(
          { model: 'sale.order', operation: 'read', by },
          { model: 'account.move', operation: 'write', by },
        );
      if (step.type === 'odoo.return_picking')
        needs.push({ model: 'stock.picking', operation: 'write', by });
      if (step.type === 'odoo.credit_note')
        needs.push({ model: 'account.move', operation: 'write', by });
      if (step.type === 'odoo.vendor_refund')
        needs.push(
          { model: 'purchase.order', operation: 'write', by },
          { model: 'account.move', operation: 'write', by },
        );
      if (step.type === 'odoo.scrap') needs.push({ model: 'stock.scrap', operation: 'write', by });
      if (!model) continue;
      if (READS.has(step.type)) needs.push({ model, operation: 'read', by });
      if (WRITES.has(step.type)) needs.push({ model, operation: 'write', by });
      const chatter = CHATTER[step.type];
      if (chatter)
        needs.push({ model, operation: 'write', by }, { model: chatter, operation: 'read', by });
    }
  }
  return needs;
}

export interface ProbeContext {
  client: OdooClient;
  /** The sources polling and hinting through this connection. */
  sources: readonly OdooSource[];
  publicUrl: string;
  needs: readonly OdooNeed[];
  /** The webhook path token in force for a source (configured, or rotated). */
  tokenOf: (source: OdooSource) => Promise<string>;
  /** Filled by the probes as they learn it. */
  version?: OdooServerVersion;
  uid?: number | null;
}

/** A probe appends its lines; it answers `stop` when nothing after it can be checked. */
export type Probe = (ctx: ProbeContext, lines: CapabilityCheck[]) => Promise<'go' | 'stop'>;

const errorOf = (error: unknown) =>
  isCrossdockError(error)
    ? { code: error.code, message: error.message }
    : { code: 'ODOO_UNAVAILABLE', message: (error as Error)?.message ?? String(error) };
/** Odoo refused the user (an access right or record rule), as opposed to anything else going wrong. */
const refused = (code: string) => code === 'ODOO_ACCESS_ERROR';

const connectionProbe: Probe = async (ctx, lines) => {
  try {
    ctx.version = await ctx.client.version();
    lines.push({
      capability: 'connection',
      state: 'ok',
      detail: `Odoo ${ctx.version.serverVersion} over ${ctx.client.protocol}`,
    });
    return 'go';
  } catch (error) {
    const e = errorOf(error);
    lines.push({ capability: 'connection', state: 'unreachable', detail: e.message, code: e.code });
    return 'stop';
  }
};

/** On Odoo 19 and later, a legacy protocol still works but is deprecated: a warning, not a failure. */
const protocolProbe: Probe = async (ctx, lines) => {
  const advice = ctx.version ? protocolAdvice(ctx.version, ctx.client.protocol) : null;
  if (advice !== null)
    lines.push({ capability: 'protocol', state: 'warning', detail: `recommended: ${advice}` });
  return 'go';
};

const loginProbe: Probe = async (ctx, lines) => {
  try {
    ctx.uid = await ctx.client.authenticate();
    return 'go';
  } catch (error) {
    const e = errorOf(error);
    lines.push({
      capability: 'login',
      state: 'unreachable',
      detail: `${e.message} (check the login and the API key's variable)`,
      code: e.code,
    });
    return 'stop';
  }
};

const userProbe: Probe = async (ctx, lines) => {
  if (ctx.uid === null || ctx.uid === undefined) {
    lines.push({
      capability: 'user',
      state: 'ok',
      detail: "the API key's user (JSON-2 has no uid)",
    });
    return 'go';
  }
  try {
    const [user] = await ctx.client.call<{ name: string; login: string }[]>(
      'res.users',
      'read',
      [[ctx.uid]],
      { fields: ['name', 'login'] },
      undefined,
      { idempotent: true },
    );
    lines.push({
      capability: 'user',
      state: 'ok',
      detail: `${user?.name ?? '?'} (${user?.login ?? '?'}, uid ${ctx.uid})`,
    });
  } catch (error) {
    const e = errorOf(error);
    lines.push({
      capability: 'user',
      state: refused(e.code) ? 'forbidden' : 'failed',
      detail: `uid ${ctx.uid}: ${e.message}`,
      code: e.code,
    });
  }
  return 'go';
};

/** One line per model and operation, read before write, in the order first needed. */
const rightsProbe: Probe = async (ctx, lines) => {
  const watched: OdooNeed[] = ctx.sources.flatMap((s) =>
    s.watch.map((w) => ({
      model: w.model,
      operation: 'read' as const,
      by: `source ${s.name} (${w.event})`,
    })),
  );
  const byRight = new Map<string, OdooNeed[]>();
  for (const need of [...watched, ...ctx.needs].sort((a, b) =>
    a.operation === b.operation ? 0 : a.operation === 'read' ? -1 : 1,
  )) {
    const key = `${need.operation} ${need.model}`;
    byRight.set(key, [...(byRight.get(key) ?? []), need]);
  }
  for (const [capability, needs] of byRight) {
    const { model, operation } = needs[0]!;
    const who = [...new Set(needs.map((n) => n.by))];
    const by = `for ${who.slice(0, 3).join(', ')}${who.length > 3 ? ` and ${who.length - 3} more` : ''}`;
    try {
      const allowed = await ctx.client.call<boolean>(
        model,
        'check_access_rights',
        [operation],
        { raise_exception: false },
        undefined,
        { idempotent: true },
      );
      lines.push({
        capability,
        state: allowed === true ? 'ok' : 'forbidden',
        detail:
          allowed === true ? by : `this Odoo user may not ${operation} ${model}, needed ${by}`,
      });
    } catch (error) {
      const e = errorOf(error);
      const absent = e.code === 'ODOO_UNKNOWN_MODEL';
      lines.push({
        capability,
        state: absent ? 'missing' : refused(e.code) ? 'forbidden' : 'failed',
        detail: absent
          ? `Odoo has no model ${model} (is its app installed?), needed ${by}`
          : e.message,
        code: e.code,
      });
    }
  }
  return 'go';
};

/** The automation rules; reading them needs Administration: Settings, which the everyday user may lack. */
const rulesProbe: Probe = async (ctx, lines) => {
  for (const source of ctx.sources) {
    let rules: RuleStatus[];
    try {
      rules = await checkRules(ctx.client, source, ctx.publicUrl, await ctx.tokenOf(source));
    } catch (error) {
      const e = errorOf(error);
      const detail = refused(e.code)
        ? `this Odoo user may not read the automation rules (base.automation needs Administration: Settings); run setup-rules and check them with an administrator's connection: ${e.message.split('\n')[0]}`
        : e.message;
      lines.push({
        capability: `rules of source ${source.name}`,
        state: refused(e.code) ? 'forbidden' : 'failed',
        detail,
        code: e.code,
      });
      continue;
    }
    for (const r of rules) {
      lines.push({
        capability: `rule "${r.ruleName}"`,
        state: r.state === 'ok' ? 'ok' : 'missing',
        detail: `${r.state === 'ok' ? '' : `${r.state}; `}${r.ruleId ? `id ${r.ruleId} ` : ''}-> ${r.url}`,
      });
    }
  }
  return 'go';
};

/** The probes of one connection, in the order their lines are printed. */
export const CONNECTION_PROBES: readonly Probe[] = [
  connectionProbe,
  protocolProbe,
  loginProbe,
  userProbe,
  rightsProbe,
  rulesProbe,
];

export async function runProbes(
  ctx: ProbeContext,
  probes: readonly Probe[] = CONNECTION_PROBES,
): Promise<CapabilityCheck[]> {
  const lines: CapabilityCheck[] = [];
  for (const probe of probes) if ((await probe(ctx, lines)) === 'stop') break;
  return lines;
}
