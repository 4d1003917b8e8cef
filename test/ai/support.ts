/**
 * The AI harness: the OpenAI-compatible simulator, a test store (PGlite or the PostgreSQL
 * server), an engine with `raise_exception` and `ai.classify` over the real exception queue,
 * and the reviews service. The client's waits are recorded and skipped, so a Retry-After of
 * seconds costs the test nothing and the test still sees how long it would have waited.
 */
import { AiReviews, AiTriage, chatTriageProvider, OfflineTriageModel } from '../../src/ai/index.ts';
import { AuditLog } from '../../src/audit/index.ts';
import { AiClient, aiProviderSettings } from '../../src/connectors/ai/index.ts';
import { engineStepTypes, ManualClock, StepRegistry, type Engine } from '../../src/engine/index.ts';
import { aiClassifyStep } from '../../src/ai/index.ts';
import {
  auditCaseEvents,
  ExceptionsService,
  raiseExceptionStep,
  type CaseDetail,
} from '../../src/exceptions/index.ts';
import { startAiSimulator, type AiSimulator } from '../../sim/ai/index.ts';
import { startTestApi, type TestApi } from '../api/support.ts';
import { waitForRun } from '../support/engine.ts';

export const SIM_KEY = 'sk-sim-0123456789abcdefghijklmnop';
export const CATEGORIES = ['carrier_delay', 'stock_shortage', 'address_problem', 'credit_hold'];
export const TEAMS = ['logistics', 'purchasing', 'customer_service', 'finance', 'operations'];

const WORKFLOW = `
id: incident-triage
trigger: { event: incident }
steps:
  - id: raise
    type: raise_exception
    with:
      title: "= input.title"
      code: "= input.code"
      severity: high
      owner: { team: operations }
      details:
        order: "= input.order"
        note: "= input.note"
        contact_name: "= input.contact"
        email: "= input.email"
        phone: "= input.phone"
        delivery_address: "= input.address"
  - id: triage
    type: ai.classify
    with:
      use: exception_triage
      case_id: "= steps.raise.output.caseId"
      threshold: 0.8
      categories: [${CATEGORIES.join(', ')}]
      teams: [${TEAMS.join(', ')}]
      examples: 5
      severity: SEVERITY
  - id: after
    type: transform
    with: { outcome: "= steps.triage.output.outcome" }
`;

export interface Incident {
  title: string;
  code: string;
  order: string;
  note: string;
  contact: string;
  email: string;
  phone: string;
  address: string;
}

export const INCIDENT: Incident = {
  title: 'Delivery for SO0042 refused by Jane Whitfield',
  code: 'DELIVERY_REFUSED',
  order: 'SO0042',
  note: 'Driver Mr. Okafor called from 0161 496 0000: the consignee says the address is wrong; reach her at jane.whitfield@example.com',
  contact: 'Jane Whitfield',
  email: 'jane.whitfield@example.com',
  phone: '+44 20 7946 0958',
  address: '221B Baker Street, London NW1 6XE',
};

export interface Harness {
  sim: AiSimulator;
  api: TestApi;
  engine: Engine;
  exceptions: ExceptionsService;
  reviews: AiReviews;
  /** Waits the client asked for (ms), in order; none was slept. */
  waits: number[];
  /** Raises an incident and triages it; resolves when the run has ended. */
  incident(input?: Partial<Incident>): Promise<{
    runId: string;
    status: string;
    output: Record<string, unknown>;
    caseId: string;
  }>;
  caseDetail(id: string): Promise<CaseDetail>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    apiKey?: string;
    url?: string;
    timeoutMs?: number;
    /** Triage with the built-in offline model (the default without CROSSDOCK_AI_URL), not the simulator. */
    offline?: boolean;
    /** The step asks for a severity too. */
    severity?: boolean;
  } = {},
): Promise<Harness> {
  const sim = await startAiSimulator({ apiKey: SIM_KEY, models: ['sim-triage-1'] });
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const waits: number[] = [];
  const client = new AiClient(
    aiProviderSettings({
      baseUrl: options.url ?? sim.url,
      model: 'sim-triage-1',
      apiKey: options.apiKey ?? SIM_KEY,
      timeoutMs: options.timeoutMs ?? 2_000,
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 },
    }),
    {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    },
  );
  // The steps use the API's own exception queue, made with the API below: late-bound.
  let exceptions: ExceptionsService | undefined;
  const late = new Proxy({} as ExceptionsService, {
    get: (_target, name) => {
      const value = (exceptions as any)[name];
      return typeof value === 'function' ? value.bind(exceptions) : value;
    },
  });
  let triage: AiTriage | undefined;
  const lateTriage = { triage: (r: any) => triage!.triage(r) } as unknown as AiTriage;
  const steps = new StepRegistry([
    ...engineStepTypes(),
    raiseExceptionStep(late),
    aiClassifyStep(lateTriage),
  ]);
  const api = await startTestApi({
    workflows: [WORKFLOW.replace('SEVERITY', String(options.severity ?? false))],
    engine: { steps, clock, caseEvents: auditCaseEvents(() => clock.now()) },
  });
  exceptions = api.services.exceptions;
  const db = api.t.store.db;
  const now = () => clock.now();
  triage = new AiTriage({
    db,
    exceptions,
    provider: options.offline ? new OfflineTriageModel(db) : chatTriageProvider(client),
    now,
  });
  const reviews = new AiReviews({ db, exceptions, audit: new AuditLog(db, now), now });
  const engine = api.engine;
  engine.startWorkers(1);
  let events = 0;
  return {
    sim,
    api,
    engine,
    exceptions,
    reviews,
    waits,
    async incident(input = {}) {
      const { runIds } = await engine.accept({
        source: 'test',
        type: 'incident',
        key: `incident-${++events}`,
        payload: { ...INCIDENT, ...input },
      });
      const run = await waitForRun(engine, runIds[0]!);
      const triaged = run.steps.find((s) => s.stepId === 'triage');
      const raised = run.steps.find((s) => s.stepId === 'raise');
      return {
        runId: runIds[0]!,
        status: run.status,
        output: (triaged?.output ?? {}) as Record<string, unknown>,
        caseId: String((raised?.output as { caseId: string }).caseId),
      };
    },
    caseDetail: (id) => exceptions!.show(id),
    async close() {
      await api.close();
      await sim.close();
    },
  };
}

/** Order names for new cases: SO0<first + 1>, SO0<first + 2>, ... */
export function orderNames(first: number): () => string {
  let n = first;
  return () => `SO0${++n}`;
}

/** A case of a kind, each on a new order, with no personal data beyond the harness's placeholders. */
export function caseKinds(SO: () => string) {
  return {
    late: (): Partial<Incident> => {
      const so = SO();
      return {
        title: `Truck for ${so} late at the dock`,
        code: 'LATE_TRUCK',
        order: so,
        note: 'pickup slot missed',
      };
    },
    refused: (): Partial<Incident> => {
      const so = SO();
      return {
        title: `Delivery for ${so} refused: the address is wrong`,
        code: 'DELIVERY_REFUSED',
        order: so,
        note: 'consignee unknown at the address',
      };
    },
    credit: (): Partial<Incident> => {
      const so = SO();
      return {
        title: `Order ${so} held: credit limit exceeded`,
        code: 'CREDIT_HOLD',
        order: so,
        note: 'exposure above the limit',
      };
    },
    pallet: (): Partial<Incident> => {
      const so = SO();
      return {
        title: `Pallet label missing on inbound receipt for ${so}`,
        code: 'PALLET_LABEL_MISSING',
        order: so,
        note: 'supplier shipped without labels',
      };
    },
  };
}
