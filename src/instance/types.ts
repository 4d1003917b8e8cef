/** What createCrossdock (src/main.ts) returns and takes: one wired instance and its options. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiServices } from '../api/index.ts';
import type { CarrierConfig, CarrierIntegration } from '../connectors/carriers/index.ts';
import type { EdiIntegration, EdiPartner } from '../connectors/edi/index.ts';
import type { Shop, ShopIntegration } from '../connectors/shop/index.ts';
import type { ImapMailbox, ImapPoller } from '../connectors/mail/index.ts';
import type { OdooIntegration } from '../connectors/odoo/integration.ts';
import type { CrossdockConfig } from '../config/index.ts';
import type { Clock, Engine } from '../engine/index.ts';
import type { Notifications } from '../notify/index.ts';
import type { ConnectorStats, Logger } from '../observability/index.ts';
import type { PolicyRegistry } from '../policies/index.ts';
import type { UndeliveredNotices } from '../exceptions/index.ts';
import type { Store } from '../store/index.ts';
import type { StepType } from '../workflows/index.ts';

export interface Crossdock {
  config: CrossdockConfig;
  store: Store;
  engine: Engine;
  logger: Logger;
  /** Present when CROSSDOCK_ODOO_CONFIG names an Odoo configuration. */
  odoo: OdooIntegration | null;
  /** Present when carriers are configured (CROSSDOCK_CARRIERS_CONFIG or the carriers option). */
  carriers: CarrierIntegration | null;
  /** Present when EDI trading partners are configured (CROSSDOCK_EDI_CONFIG or the edi option). */
  edi: EdiIntegration | null;
  /** Present when shops are configured (CROSSDOCK_SHOP_CONFIG or the shops option). */
  shop: ShopIntegration | null;
  /** The connectors' webhook routes (/hooks/odoo/..., /hooks/carriers/...), for the API. */
  webhookRoutes: FastifyPluginAsync[];
  /** Users, tokens, sessions, audit log, secrets, webhook sources, metrics: what the API and CLI use. */
  services: ApiServices;
  /** The decision tables loaded with the workflows: every `policies` folder in the workflow folder, and the one beside it. */
  policies: PolicyRegistry;
  /** The notification outbox and its dispatcher (running while any channel is configured). */
  notifications: Notifications;
  /** Opens an exception case for each notification the outbox gave up on, and resolves it once it is sent. */
  undelivered: UndeliveredNotices;
  /** This process's count of Odoo and carrier calls, flushed to connector_stats every few seconds and on close. */
  connectorStats: ConnectorStats;
  /** The IMAP mailboxes polled for inbound e-mail (CROSSDOCK_MAIL_IMAP_CONFIG or the imapMailboxes option); started by startInstance. */
  imap: ImapPoller | null;
  /** The port of the SMTP endpoint for inbound e-mail, once listen() opened it; null without one. */
  mailIntakePort(): number | null;
  /**
   * Builds the HTTP API over these services (with the connectors' webhook routes) and listens
   * on CROSSDOCK_HOST and `port` (default CROSSDOCK_PORT; 0 picks a free one). From then on
   * `vars.apiUrl` and approval links name the address it actually listens on. With
   * CROSSDOCK_MAIL_INTAKE_PORT it also opens the SMTP endpoint (closed by close()). The caller closes the API.
   */
  listen(options?: {
    port?: number;
    dashboardDir?: string;
  }): Promise<{ api: FastifyInstance; url: string }>;
  close(): Promise<void>;
}

export interface CrossdockOptions {
  logger?: Logger;
  clock?: Clock;
  /** Custom step types (TypeScript plugins) next to the built-in ones. */
  plugins?: StepType<any>[];
  /** Carriers given in code (the demo's simulated ones); otherwise CROSSDOCK_CARRIERS_CONFIG is read. */
  carriers?: CarrierConfig[];
  /** EDI trading partners given in code; otherwise CROSSDOCK_EDI_CONFIG is read. */
  ediPartners?: EdiPartner[];
  /** Shops given in code; otherwise CROSSDOCK_SHOP_CONFIG is read. */
  shops?: Shop[];
  /** IMAP mailboxes given in code (the demo's simulated one); otherwise CROSSDOCK_MAIL_IMAP_CONFIG is read. */
  imapMailboxes?: ImapMailbox[];
  /** Apply pending migrations on open (the default); `crossdock worker` on a server says no. */
  migrate?: boolean;
}
