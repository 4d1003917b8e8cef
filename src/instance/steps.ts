/** The step types an instance (or a command without one) knows: the engine's, the capabilities' and the connectors'. */
import type { Kysely } from 'kysely';
import {
  aiClassifyStep,
  aiDelayRiskStep,
  aiExtractStep,
  aiTrainStep,
  aiTriageQueueStep,
  type AiExtraction,
  type AiTriage,
} from '../ai/index.ts';
import { approvalStep, type ApprovalMirror, type ApprovalsService } from '../approvals/index.ts';
import type { CrossdockConfig } from '../config/index.ts';
import {
  carrierStepTypes,
  createCarrierRegistry,
  loadCarrierSettings,
} from '../connectors/carriers/index.ts';
import { ediStepTypes } from '../connectors/edi/index.ts';
import { shopStepTypes } from '../connectors/shop/index.ts';
import { httpRequestStep } from '../connectors/http/index.ts';
import type { OdooClient } from '../connectors/odoo/index.ts';
import { loadOdooSettings } from '../connectors/odoo/integration.ts';
import { createClientPool, odooStepTypes } from '../connectors/odoo/steps/index.ts';
import { engineStepTypes, StepRegistry } from '../engine/index.ts';
import {
  raiseExceptionStep,
  resolveCaseStep,
  updateCaseStep,
  type ExceptionsService,
} from '../exceptions/index.ts';
import { notifyStep, type Notifications } from '../notify/index.ts';
import { operationsStepTypes, type AlertChannels } from '../operations/index.ts';
import { decideStep, type PolicyRegistry } from '../policies/index.ts';
import type { Database } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';

/**
 * The step types every Crossdock has: the engine's own and the connectors'. Without a
 * store (validate, dry runs) the stateful ones are known by their schema only.
 */
export function builtInSteps(
  plugins: StepType<any>[] = [],
  services: {
    approvals?: ApprovalsService;
    approvalMirror?: ApprovalMirror | null;
    policies?: PolicyRegistry;
    notifications?: Notifications | null;
    exceptions?: ExceptionsService;
    alertChannels?: AlertChannels;
    /** The store, for the steps that compare Odoo with what Crossdock did (reconcile.sweep). */
    db?: Kysely<Database>;
    /** Exception triage through the configured AI provider (the `ai.classify` step). */
    ai?: AiTriage | null;
    /** Reference extraction from inbound e-mail (the `ai.extract` step). */
    extract?: AiExtraction | null;
    /** The Odoo connections, for the steps that read Odoo beside the connector's (ai.delay_risk). */
    odoo?: ((connection: string) => OdooClient) | null;
  } = {},
): StepRegistry {
  return new StepRegistry([
    ...engineStepTypes(),
    httpRequestStep,
    approvalStep(services.approvals ?? null, services.approvalMirror ?? null),
    decideStep(services.policies ?? null),
    notifyStep(services.notifications ?? null),
    raiseExceptionStep(services.exceptions ?? null),
    resolveCaseStep(services.exceptions ?? null),
    updateCaseStep(services.exceptions ?? null),
    aiClassifyStep(services.ai ?? null),
    aiTrainStep(services.db ?? null),
    aiTriageQueueStep(services.db ?? null),
    aiExtractStep(services.extract ?? null),
    aiDelayRiskStep(services.db ?? null, services.odoo ?? null),
    ...operationsStepTypes(services),
    ...plugins,
  ]);
}

/**
 * The connectors' step types for commands without a running instance (validate, simulate):
 * Odoo and carrier steps against the configured connections, if any. Without a configured
 * Odoo they still validate; calling one fails with ODOO_CONNECTION_UNKNOWN.
 */
export function offlineConnectorSteps(config: CrossdockConfig): StepType<any>[] {
  const odooSettings = config.odooConfigPath ? loadOdooSettings(config.odooConfigPath) : null;
  const carrierConfigs = config.carriersConfigPath
    ? loadCarrierSettings(config.carriersConfigPath, process.env)
    : [];
  return [
    ...odooStepTypes(createClientPool(odooSettings?.profiles ?? [])),
    ...carrierStepTypes(createCarrierRegistry(carrierConfigs)),
    ...ediStepTypes(),
    ...shopStepTypes(),
  ];
}
