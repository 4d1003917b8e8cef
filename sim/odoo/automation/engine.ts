/**
 * Runs base.automation rules when records are created or written, inside the writing
 * call's transaction. As Odoo 17, an outgoing webhook goes out before the change is
 * committed, and is not taken back if the call later fails (webhook-out-w5-*); as Odoo 19
 * (sender.timing 'after-commit') it goes out after the commit, or never on a rollback.
 *
 * Rule semantics (Odoo 17): on_create_or_write, on_create, on_write and the on_*_set
 * triggers fire when a trigger field actually changed (any field when none is set,
 * the automation-09 gotcha), filter_pre_domain held before the write and filter_domain
 * holds after it. While a rule's actions run on a record, further changes to that record
 * do not re-trigger the same rule (Odoo's recursion guard).
 */
import { PyError, py } from '../errors.ts';
import { matches, parseDomain } from '../orm/domain.ts';
import type { Env } from '../orm/env.ts';
import type { Row, Transaction } from '../orm/store.ts';
import { toIds } from '../orm/bind.ts';
import type { AutomationHooks, PreFilterState, WriteEvent } from '../runtime.ts';
import { runCodeAction } from './code-actions.ts';
import type { WebhookSender } from './outgoing.ts';
import { webhookPayload } from './payload.ts';
import { parsePythonLiteral } from './python-literal.ts';

type RuleRow = Row & { id: number };

const WRITE_TRIGGERS = new Set([
  'on_write',
  'on_create_or_write',
  'on_state_set',
  'on_stage_set',
  'on_user_set',
  'on_tag_set',
  'on_priority_set',
  'on_archive',
  'on_unarchive',
]);
const CREATE_TRIGGERS = new Set([
  'on_create',
  'on_create_or_write',
  'on_state_set',
  'on_stage_set',
  'on_user_set',
  'on_tag_set',
  'on_priority_set',
]);

function domainHolds(env: Env, model: string, domainText: unknown, id: number): boolean {
  if (typeof domainText !== 'string' || domainText.trim() === '') return true;
  return matches(
    env.sudo(),
    model,
    parseDomain(env.sudo(), model, parsePythonLiteral(domainText)),
    id,
  );
}

function rulesFor(env: Env, model: string, triggers: Set<string>): RuleRow[] {
  const sudo = env.sudo();
  return sudo.tx
    .ids('base.automation')
    .map((id): RuleRow => ({ ...(sudo.row('base.automation', id) ?? {}), id }))
    .filter((rule) => rule.active !== false && triggers.has(String(rule.trigger)))
    .filter((rule) => sudo.row('ir.model', Number(rule.model_id))?.model === model);
}

function triggerFieldNames(env: Env, rule: RuleRow): string[] {
  return toIds(rule.trigger_field_ids).map((id) =>
    String(env.row('ir.model.fields', id)?.name ?? ''),
  );
}

function changedTriggerField(env: Env, rule: RuleRow, event: WriteEvent, id: number): boolean {
  const names = triggerFieldNames(env, rule);
  if (names.length === 0) return true;
  const before = event.before.get(id) ?? {};
  return names.some(
    (name) =>
      event.fields.includes(name) &&
      JSON.stringify(before[name]) !== JSON.stringify(env.sudo().value(event.model, id, name)),
  );
}

export function actionsOf(env: Env, ruleId: number): RuleRow[] {
  const sudo = env.sudo();
  return sudo
    .search('ir.actions.server', [['base_automation_id', '=', ruleId]], { order: 'sequence, id' })
    .map((id): RuleRow => ({ ...(sudo.row('ir.actions.server', id) ?? {}), id }));
}

/**
 * Odoo 17 posts the webhook now, inside the transaction; Odoo 19 computes the payload now
 * but posts it from a post-commit hook, so a rolled-back call sends nothing.
 */
async function sendWebhook(
  env: Env,
  sender: WebhookSender,
  url: string,
  payload: Record<string, unknown>,
  meta: { actionId: number; model: string; recordId: number },
): Promise<void> {
  if (sender.timing === 'before-commit') {
    await sender.send(url, payload, meta);
    return;
  }
  env.tx.onCommit({
    run: async () => void (await sender.send(url, payload, meta)),
    cancel: () => sender.cancelled(url),
  });
}

/** Runs a rule's actions on one record; errors carry the rule in their context, as in Odoo. */
export async function runActions(
  env: Env,
  sender: WebhookSender,
  rule: RuleRow,
  model: string,
  id: number,
  payload?: Record<string, unknown>,
): Promise<void> {
  try {
    for (const action of actionsOf(env, rule.id)) {
      if (action.state === 'webhook' && typeof action.webhook_url === 'string') {
        await sendWebhook(env, sender, action.webhook_url, webhookPayload(env, action, model, id), {
          actionId: action.id,
          model,
          recordId: id,
        });
      } else if (action.state === 'code') {
        await runCodeAction(
          env,
          String(action.code ?? ''),
          payload === undefined ? { model, id } : { model, id, payload },
        );
      } else if (action.state === 'object_write') {
        if (typeof action.update_path !== 'string' || action.update_path === '')
          throw py.keyError('');
        await env.sudo().write(model, [id], { [action.update_path]: action.value ?? false });
      } else {
        throw py.exception(
          `The Crossdock Odoo simulator does not run "${String(action.state)}" server actions`,
        );
      }
    }
  } catch (error) {
    if (!(error instanceof PyError) || Object.keys(error.context).length > 0) throw error;
    const context = {
      exception_class: 'base_automation',
      base_automation: { id: rule.id, name: rule.name },
    };
    throw new PyError(error.qualifiedName, error.pyMessage, {
      args: [...error.pyArguments],
      context,
    });
  }
}

export function createAutomationEngine(sender: () => WebhookSender): AutomationHooks {
  const running = new WeakMap<Transaction, Set<string>>();

  return {
    beforeWrite(env, model, ids): PreFilterState {
      const state = new Map<number, Set<number>>();
      for (const rule of rulesFor(env, model, WRITE_TRIGGERS)) {
        state.set(
          rule.id,
          new Set(ids.filter((id) => domainHolds(env, model, rule.filter_pre_domain, id))),
        );
      }
      return state;
    },

    async afterChange(env, event) {
      const active = running.get(env.tx) ?? new Set<string>();
      running.set(env.tx, active);
      for (const rule of rulesFor(
        env,
        event.model,
        event.created ? CREATE_TRIGGERS : WRITE_TRIGGERS,
      )) {
        for (const id of event.ids) {
          const key = `${rule.id}:${event.model}:${id}`;
          if (active.has(key)) continue;
          if (!event.created && !changedTriggerField(env, rule, event, id)) continue;
          if (!event.created && event.preFilter?.get(rule.id)?.has(id) === false) continue;
          if (!domainHolds(env, event.model, rule.filter_domain, id)) continue;
          active.add(key);
          try {
            await runActions(env, sender(), rule, event.model, id);
          } finally {
            active.delete(key);
          }
        }
      }
    },
  };
}
