/**
 * Sends outgoing webhooks the way Odoo 17 does (webhook-out-* fixtures and README):
 * python-requests headers, a JSON body with sorted keys, a 1 s timeout, no retry, no
 * signature. A failure is only logged (WARNING); it never fails the business call.
 * When it is sent is the caller's choice (`timing`, see automation/engine.ts): Odoo 17
 * sends it inside the RPC call, before the commit; Odoo 19 after the commit.
 */
import http from 'node:http';
import { RecordLog } from '../../record-log.ts';
import { pyJsonDumps } from './py-json.ts';
import { toPlainJson } from '../orm/wire.ts';
import type { WebhookTiming } from '../version.ts';

export type WebhookOutcome = 'delivered' | 'http-error' | 'timeout' | 'connection-error';

export interface OutgoingWebhook {
  seq: number;
  url: string;
  /** ir.actions.server id and the record the payload describes. */
  actionId: number;
  model: string;
  recordId: number;
  headers: Record<string, string>;
  /** The payload as the receiver parses it. */
  body: Record<string, unknown>;
  outcome: WebhookOutcome;
  status: number | null;
}

type Log = (level: 'INFO' | 'WARNING', logger: string, message: string) => void;

const LOGGER = 'odoo.addons.base.models.ir_actions';

export class WebhookSender {
  /** What was sent (all of it, or the newest `keep`); `sent.total` counts every webhook. */
  readonly sent: RecordLog<OutgoingWebhook>;
  readonly #agent = new http.Agent({ keepAlive: true });
  readonly #timeoutMs: number;
  readonly #log: Log;
  readonly timing: WebhookTiming;

  constructor(timeoutMs: number, log: Log, timing: WebhookTiming = 'before-commit', keep?: number) {
    this.sent = new RecordLog(keep);
    this.#timeoutMs = timeoutMs;
    this.#log = log;
    this.timing = timing;
  }

  /** Odoo 19's log line for a webhook dropped with its rolled-back transaction. */
  cancelled(url: string): void {
    this.#log('INFO', LOGGER, `Webhook call to ${url} - cancelled due to a rollback`);
  }

  async send(
    url: string,
    payload: Record<string, unknown>,
    meta: { actionId: number; model: string; recordId: number },
  ): Promise<OutgoingWebhook> {
    const rawBody = pyJsonDumps(payload, { sortKeys: true });
    const headers = {
      'User-Agent': 'python-requests/2.28.1',
      'Accept-Encoding': 'gzip, deflate',
      Accept: '*/*',
      Connection: 'keep-alive',
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(rawBody)),
    };
    this.#log('INFO', LOGGER, `Webhook call to ${url}`);
    const { outcome, status } = await this.#post(url, headers, rawBody);
    const record: OutgoingWebhook = {
      seq: this.sent.total + 1,
      url,
      ...meta,
      headers,
      body: toPlainJson(payload) as Record<string, unknown>,
      outcome,
      status,
    };
    return this.sent.add(record);
  }

  #post(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ outcome: WebhookOutcome; status: number | null }> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: WebhookOutcome, status: number | null, warning?: string) => {
        if (settled) return;
        settled = true;
        if (warning !== undefined) this.#log('WARNING', LOGGER, warning);
        resolve({ outcome, status });
      };
      const request = http.request(
        url,
        { method: 'POST', headers, agent: this.#agent },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 400)
              finish(
                'http-error',
                status,
                `Webhook call failed: ${status} ${response.statusMessage ?? ''} for url: ${url}`,
              );
            else finish('delivered', status);
          });
        },
      );
      request.setTimeout(this.#timeoutMs, () => {
        finish(
          'timeout',
          null,
          `Webhook call timed out after ${this.#timeoutMs / 1000}s - it may or may not have failed. If this happens often, it may be a sign that the system you're trying to reach is slow or non-functional.`,
        );
        request.destroy();
      });
      request.on('error', (error) =>
        finish('connection-error', null, `Webhook call failed: ${error.message}`),
      );
      request.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
