import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CrossdockError } from '../../src/errors/index.ts';
import { engineStepTypes, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { Notifications, notifyStep } from '../../src/notify/index.ts';
import { silentLogger } from '../../src/observability/index.ts';
import { parseWorkflow, type StepContext, type StepType } from '../../src/workflows/index.ts';
import { engineWith, waitForRun } from '../support/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { ChatSink, notifyConfig, SmtpSink } from './support.ts';

const SHIPPED = `
id: shipped
trigger: { event: picking.done }
steps:
  - id: tell-customer
    type: flaky-notify
    retry: { max_attempts: 3, initial_delay_ms: 1, jitter: 0 }
    with:
      channel: email
      to: "= event.payload.email"
      subject: "Your order {{ order }} is on its way"
      body: "Carrier {{ carrier }}, tracking {{ tracking }}."
      data: { order: "= event.payload.order", carrier: DHL, tracking: "= event.payload.tracking" }
  - id: tell-ops
    type: notify
    with:
      channel: chat
      to: ops
      body: "{{ order }} shipped with {{ carrier }}"
      data: { order: "= event.payload.order", carrier: DHL }
`;

const TYPO = `
id: typo
trigger: { event: picking.typo }
steps:
  - id: tell
    type: notify
    with:
      channel: email
      to: [ana@acme.test]
      template: generic
      data: { subject: "= 'Order ' & event.payload.order", bdy: oops }
`;

describe('the notify step', () => {
  let t: TestStore;
  let smtp: SmtpSink;
  let chat: ChatSink;
  let notifications: Notifications;
  let engine: Engine;
  let steps: StepRegistry;
  let crashes = 0;

  before(async () => {
    t = await openTestStore();
    smtp = await new SmtpSink().listen();
    chat = await new ChatSink().listen();
    notifications = new Notifications({
      db: t.store.db as never,
      config: notifyConfig({ smtpPort: smtp.port, chat: { ops: `${chat.url}/hook/secret` } }),
      clock: { now: () => new Date() },
      logger: silentLogger(),
    });
    notifications.start();
    const notify = notifyStep(notifications);
    // The real step, whose first attempt "crashes" after queueing and before its checkpoint:
    // the engine runs it again with the same idempotency key.
    const flaky: StepType<any> = {
      ...notify,
      type: 'flaky-notify',
      async execute(ctx, config) {
        const outcome = await notify.execute(ctx, config);
        if (ctx.attempt === 1) {
          crashes++;
          throw CrossdockError.foreign('TEST_CRASH', 'lost before the checkpoint', {
            category: 'transient',
          });
        }
        return outcome;
      },
    };
    steps = new StepRegistry([...engineStepTypes(), notify, flaky]);
    engine = await engineWith(t.store, [SHIPPED, TYPO], { steps });
    engine.startWorkers(1);
  });
  after(async () => {
    await engine.stopWorkers();
    await notifications.stop();
    await smtp.close();
    await chat.close();
    await t.dispose();
  });

  test('a step that runs twice at one position sends one e-mail; the chat webhook gets its JSON', async () => {
    const { runIds } = await engine.accept({
      source: 'wms',
      type: 'picking.done',
      key: 'WH/OUT/00042',
      payload: { email: 'ana@acme.test', order: 'S00042', tracking: '1Z999' },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(crashes, 1);
    const attempts = run.steps.filter((s) => s.stepId === 'tell-customer');
    assert.deepEqual(
      attempts.map((s) => s.status),
      ['failed', 'completed'],
      'the step ran twice',
    );
    assert.equal(
      (attempts[1]!.output as { duplicate: boolean }).duplicate,
      true,
      'the second run found the queued message',
    );
    await smtp.waitFor(1);
    const queued = await notifications.list({ dedupeKeyPrefix: `${runIds[0]}:` });
    assert.equal(queued.length, 2);
    assert.deepEqual(queued.map((q) => q.dedupe_key).sort(), [
      `${runIds[0]}:tell-customer:0`,
      `${runIds[0]}:tell-ops:0`,
    ]);
    for (
      let i = 0;
      i < 20 &&
      (await notifications.list({ dedupeKeyPrefix: `${runIds[0]}:`, status: 'sent' })).length < 2;
      i++
    ) {
      const next = notifications.dispatcher.nextPass();
      notifications.dispatcher.wake();
      await next;
    }
    assert.equal(smtp.mails.length, 1, 'one e-mail');
    assert.equal(smtp.mails[0]!.subject, 'Your order S00042 is on its way');
    assert.equal(smtp.mails[0]!.text.trimEnd(), 'Carrier DHL, tracking 1Z999.');
    assert.deepEqual(
      chat.posts.map((p) => p.body),
      [{ text: 'S00042 shipped with DHL' }],
    );
  });

  test('the same step context twice queues once (a worker that died before the checkpoint)', async () => {
    const ctx = { idempotencyKey: '999:tell:0', log: () => undefined } as unknown as StepContext;
    const config = notifyStep(null).config.parse({
      channel: 'email',
      to: 'bo@acme.test',
      subject: 'Hi {{ n }}',
      body: 'x',
      data: { n: 1 },
    });
    const first = await notifyStep(notifications).execute(ctx, config);
    const second = await notifyStep(notifications).execute(ctx, config);
    assert.equal(
      first.kind === 'done' && (first.output as any).notificationId,
      second.kind === 'done' && (second.output as any).notificationId,
    );
    assert.equal((await notifications.list({ dedupeKeyPrefix: '999:tell:' })).length, 1);
  });

  test('an unknown template variable fails the run with an error naming it', async () => {
    const { runIds } = await engine.accept({
      source: 'wms',
      type: 'picking.typo',
      key: 'typo-1',
      payload: { order: 'S7' },
    });
    const run = await waitForRun(engine, runIds[0]!);
    assert.equal(run.status, 'failed');
    assert.equal((run.error as { code: string }).code, 'NOTIFY_TEMPLATE_VARIABLE_UNKNOWN');
    assert.match(
      (run.error as { message: string }).message,
      /uses "body", which its data does not have/,
    );
    assert.equal((await notifications.list({ dedupeKeyPrefix: `${runIds[0]}:` })).length, 0);
  });

  test('a workflow with bad Liquid, an unknown template or no subject is refused when it loads, naming the field', () => {
    const wf = (w: string) =>
      `id: bad\ntrigger: { event: x }\nsteps:\n  - id: tell\n    type: notify\n    with: ${w}\n`;
    const problems = (text: string) => {
      const result = parseWorkflow(text, 'bad.yaml', steps);
      return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    };
    assert.ok(
      problems(wf('{ channel: email, to: a@b.example, subject: "Hi {{ name", body: x }')).some(
        (p) => /with\.subject: not valid Liquid/.test(p),
      ),
    );
    assert.ok(
      problems(wf('{ channel: email, to: a@b.example, template: nope }')).some((p) =>
        /with\.template: unknown template; there are approval-escalated, approval-reminder, approval-request, generic/.test(
          p,
        ),
      ),
    );
    assert.ok(
      problems(wf('{ channel: email, to: a@b.example, body: x }')).some((p) =>
        /with\.subject: an e-mail needs a subject/.test(p),
      ),
    );
  });

  test('the example in docs/NOTIFICATIONS.md is a valid workflow', () => {
    const doc = readFileSync(new URL('../../docs/NOTIFICATIONS.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const result = parseWorkflow(example, 'NOTIFICATIONS.md', steps);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });

  test('a dry run describes the message instead of queueing it', async () => {
    const result = await engine.simulate('shipped', {
      source: 'wms',
      type: 'picking.done',
      key: 'dry',
      payload: { email: 'ana@acme.test', order: 'S1', tracking: 'T' },
    });
    const described = result.steps.find((s) => s.stepId === 'tell-ops')!;
    assert.equal(described.action, 'would-call');
    assert.equal(
      described.description,
      'would send a chat message to ops (body "{{ order }} shipped with {{ carrier }}") with data {"order":"S1","carrier":"DHL"}',
    );
    assert.equal((await notifications.list({ dedupeKeyPrefix: 'dry-run' })).length, 0);
  });
});
