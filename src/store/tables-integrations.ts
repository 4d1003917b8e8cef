/**
 * The tables of Crossdock's integrations with other systems: EDI trading partners, the AI
 * provider's answers, the shops' stock levels, the attachments of inbound e-mail and the IMAP mailboxes it polls. Part of the one typed map in tables.ts.
 */
import {
  bigint,
  bigintCount,
  boolean,
  bytea,
  identity,
  integer,
  jsonb,
  numeric,
  text,
  timestamptz,
} from './columns.ts';

/** 0012: EDI with trading partners (src/connectors/edi). */
const ediTables = {
  edi_control_numbers: {
    partner: text(),
    kind: text<'interchange' | 'group'>(),
    last_value: bigintCount(),
    updated_at: timestamptz(),
  },
  edi_interchanges: {
    id: identity(),
    partner: text(),
    sender: text(),
    control: text(),
    received_at: timestamptz(),
    body: text(),
    status: text<'accepted' | 'partial' | 'rejected'>(),
    summary: jsonb(),
  },
  edi_documents: {
    id: identity(),
    partner: text(),
    dedupe_key: text(),
    transaction_set: text(),
    reference: text().orNull(),
    interchange_control: bigintCount(),
    group_control: bigintCount().orNull(),
    body: text(),
    status: text<'pending' | 'sending' | 'sent' | 'failed' | 'dead'>().defaulted(),
    attempts: integer().defaulted(),
    next_attempt_at: timestamptz(),
    last_error_code: text().orNull(),
    last_error: text().orNull(),
    created_at: timestamptz(),
    sent_at: timestamptz().orNull(),
    ack_expected: boolean(),
    ack_status: text<'accepted' | 'accepted_with_errors' | 'rejected'>().orNull(),
    acknowledged_at: timestamptz().orNull(),
    ack_interchange_id: bigint().orNull(),
    ack_details: jsonb().orNull(),
    ack_overdue_at: timestamptz().orNull(),
  },
};

/** 0013 and 0019: what the AI provider answered, and people's labelled examples (src/ai). */
const aiTables = {
  ai_recommendations: {
    id: identity(),
    open_key: text(),
    use: text(),
    case_id: bigint().orNull(),
    run_id: bigint().orNull(),
    workflow_id: text().orNull(),
    input_hash: text(),
    prompt: jsonb(),
    model: text(),
    answered_model: text().orNull(),
    response_id: text().orNull(),
    answer: jsonb().orNull(),
    confidence: numeric().orNull(),
    threshold: numeric(),
    outcome: text<'applied' | 'review' | 'fallback'>(),
    error_code: text().orNull(),
    error_message: text().orNull(),
    latency_ms: integer(),
    attempts: integer(),
    prompt_tokens: integer().orNull(),
    completion_tokens: integer().orNull(),
    /** migrations/0019: dollars, from the tokens and the model's configured price; null: no price. */
    cost_usd: numeric().orNull(),
    created_at: timestamptz(),
    review_status: text<'pending' | 'accepted' | 'overridden'>().orNull(),
    final: jsonb().orNull(),
    decided_by: text().orNull(),
    decided_at: timestamptz().orNull(),
    decision_reason: text().orNull(),
  },
  ai_examples: {
    id: identity(),
    use: text(),
    recommendation_id: bigint(),
    input_hash: text(),
    input: text(),
    label: jsonb(),
    source: text<'accepted' | 'overridden'>(),
    labelled_by: text(),
    created_at: timestamptz(),
  },
};

/** 0015: the built-in offline models, one row per training, and the labelled cases imported from files (src/ai/models.ts). */
const aiModelTables = {
  ai_models: {
    id: identity(),
    use: text(),
    version: integer(),
    kind: text(),
    trained_at: timestamptz(),
    trained_by: text(),
    examples: integer(),
    sources: jsonb(),
    classes: jsonb(),
    calibration: jsonb(),
    params: jsonb(),
  },
  ai_seed_examples: {
    id: identity(),
    use: text(),
    input_hash: text(),
    input: text(),
    label: jsonb(),
    source_file: text(),
    added_by: text(),
    created_at: timestamptz(),
  },
};

/** 0014: stock levels to push to each shop (src/connectors/shop). */
const shopTables = {
  shop_stock_levels: {
    shop: text(),
    location: text(),
    sku: text(),
    available: integer(),
    version: text(),
    queued_at: timestamptz(),
    pushed_available: integer().orNull(),
    pushed_version: text().orNull(),
    pushed_at: timestamptz().orNull(),
    attempts: integer().defaulted(),
    next_attempt_at: timestamptz(),
    last_error: text().orNull(),
  },
  /** 0018: when each shop's API may be called again, shared by every process. */
  shop_push_pauses: {
    shop: text(),
    not_before: timestamptz(),
    reason: text(),
    updated_at: timestamptz(),
  },
};

/** 0016: the attachments of inbound e-mail (src/connectors/mail). */
const mailTables = {
  mail_attachments: {
    id: identity(),
    source: text(),
    message_key: text(),
    part: integer(),
    filename: text(),
    content_type: text(),
    size_bytes: integer(),
    sha256: text(),
    content: bytea().orNull(),
    received_at: timestamptz(),
  },
  /** 0021: each IMAP mailbox's UIDVALIDITY, last UID taken, lease and health (connectors/mail/imap-state.ts). */
  imap_mailboxes: {
    mailbox: text(),
    uid_validity: bigintCount().orNull(),
    last_uid: bigintCount().defaulted(),
    messages_taken: bigintCount().defaulted(),
    lease_owner: text().orNull(),
    lease_until: timestamptz().orNull(),
    failures: integer().defaulted(),
    failing_since: timestamptz().orNull(),
    last_error_code: text().orNull(),
    last_error: text().orNull(),
    next_attempt_at: timestamptz().orNull(),
    last_success_at: timestamptz().orNull(),
    updated_at: timestamptz(),
  },
};

export const integrationTables = {
  ...ediTables,
  ...aiTables,
  ...aiModelTables,
  ...shopTables,
  ...mailTables,
};
