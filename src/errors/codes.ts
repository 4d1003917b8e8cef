/**
 * The registry of every error code Crossdock raises: its category, whether retrying can
 * help (a default: a call site may say otherwise for one occurrence, as an HTTP 408 does),
 * and the HTTP status the API answers with it. `new CrossdockError(code, ...)` takes only
 * a code of this table, so a mistyped code fails typechecking; docs/error-codes.md and
 * docs/error-codes-odoo.md are checked against it by test/unit/error-codes-documented.test.ts.
 *
 * Codes that are not errors (the code of an exception case such as EVENT_KEY_CONFLICT, a
 * notification's NOTIFY_PARTIAL) are documented but are not raised, so they are not here.
 */
import type { ErrorCategory } from './category.ts';

export interface ErrorCodeSpec {
  category: ErrorCategory;
  /** Whether retrying can help, unless the call site knows better for one occurrence. */
  retryable: boolean;
  /** What the API answers when a request fails with this code. */
  httpStatus: number;
}

export const ERROR_CODES = {
  // Events, runs, workflows, steps, the store and the CLI (docs/error-codes.md)
  EVENT_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EVENT_SCHEMA_MISMATCH: { category: 'user', retryable: false, httpStatus: 400 },
  EVENT_TOO_LARGE: { category: 'user', retryable: false, httpStatus: 413 },
  JSON_UNSTORABLE: { category: 'user', retryable: false, httpStatus: 400 },
  JSON_TOO_DEEP: { category: 'user', retryable: false, httpStatus: 400 },
  EVENT_SOURCE_RESERVED: { category: 'user', retryable: false, httpStatus: 403 },
  EVENT_SOURCE_FORBIDDEN: { category: 'user', retryable: false, httpStatus: 403 },
  EVENT_ORDER_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  RECONCILE_NOT_LOADED: { category: 'user', retryable: false, httpStatus: 409 },
  RECONCILE_NEEDS_SERVER: { category: 'user', retryable: false, httpStatus: 400 },
  BODY_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  REQUEST_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  CONTENT_TYPE_UNSUPPORTED: { category: 'user', retryable: false, httpStatus: 415 },
  RATE_LIMITED: { category: 'user', retryable: false, httpStatus: 429 },
  ROUTE_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  RUN_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  RUN_ID_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EVENT_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  RUN_NOT_REPLAYABLE: { category: 'user', retryable: false, httpStatus: 409 },
  RUN_ALREADY_ENDED: { category: 'user', retryable: false, httpStatus: 409 },
  WORKFLOWS_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  WORKFLOW_UNKNOWN: { category: 'user', retryable: false, httpStatus: 404 },
  WORKFLOW_VERSION_UNKNOWN: { category: 'user', retryable: false, httpStatus: 404 },
  WORKFLOW_VERSION_CONFLICT: { category: 'user', retryable: false, httpStatus: 409 },
  NOTIFICATION_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  NOTIFICATION_NOT_RESENDABLE: { category: 'user', retryable: false, httpStatus: 409 },
  EXPRESSION_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EXPRESSION_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  RUN_PRIORITY_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  REPLAY_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  SIGNAL_RESERVED: { category: 'user', retryable: false, httpStatus: 400 },
  EXPRESSION_LIMIT_EXCEEDED: { category: 'user', retryable: false, httpStatus: 422 },
  STEP_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  STEP_TIMEOUT: { category: 'transient', retryable: true, httpStatus: 503 },
  STEP_LOCK_BUSY: { category: 'transient', retryable: true, httpStatus: 503 },
  SWITCH_NO_MATCH: { category: 'user', retryable: false, httpStatus: 400 },
  WAIT_TIMED_OUT: { category: 'user', retryable: false, httpStatus: 400 },
  WORKFLOW_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  SIMULATION_LOOP: { category: 'user', retryable: false, httpStatus: 400 },
  SUBFLOW_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  HTTP_SERVER_ERROR: { category: 'transient', retryable: true, httpStatus: 503 },
  HTTP_RATE_LIMITED: { category: 'transient', retryable: true, httpStatus: 503 },
  HTTP_CLIENT_ERROR: { category: 'user', retryable: false, httpStatus: 400 },
  HTTP_TIMEOUT: { category: 'transient', retryable: true, httpStatus: 503 },
  HTTP_UNREACHABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  RUN_CANCELLED: { category: 'user', retryable: false, httpStatus: 400 },
  CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  STORE_LOCKED: { category: 'user', retryable: false, httpStatus: 503 },
  STORE_DATA_DIR_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  STORE_LOCK_UNAVAILABLE: { category: 'user', retryable: false, httpStatus: 400 },
  STORE_LOCK_LOST: { category: 'bug', retryable: false, httpStatus: 500 },
  STORE_OPEN_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  SECRETS_KEY_FILE_MISSING: { category: 'user', retryable: false, httpStatus: 400 },
  FILE_MODE_UNSAFE: { category: 'user', retryable: false, httpStatus: 400 },
  STORE_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  STORE_CONFLICT: { category: 'transient', retryable: true, httpStatus: 503 },
  STORE_SCHEMA_NEWER: { category: 'user', retryable: false, httpStatus: 400 },
  STORE_INIT_FAILED: { category: 'bug', retryable: false, httpStatus: 500 },
  MIGRATION_INVALID: { category: 'bug', retryable: false, httpStatus: 500 },
  STEP_MISSING: { category: 'bug', retryable: false, httpStatus: 500 },
  STEP_TYPE_UNKNOWN: { category: 'bug', retryable: false, httpStatus: 500 },
  STEP_TYPE_DUPLICATE: { category: 'bug', retryable: false, httpStatus: 500 },
  WORKFLOW_VERSION_MISSING: { category: 'bug', retryable: false, httpStatus: 500 },
  STORE_SYNC_UNSUPPORTED: { category: 'bug', retryable: false, httpStatus: 500 },
  SIMULATION_UNSUPPORTED: { category: 'bug', retryable: false, httpStatus: 500 },
  API_MISCONFIGURED: { category: 'bug', retryable: false, httpStatus: 500 },
  INTERNAL: { category: 'bug', retryable: false, httpStatus: 500 },
  USAGE: { category: 'user', retryable: false, httpStatus: 400 },
  CLI_LOCAL_ONLY: { category: 'user', retryable: false, httpStatus: 400 },
  API_ERROR: { category: 'user', retryable: false, httpStatus: 400 },
  DEMO_NEEDS_POSTGRES: { category: 'user', retryable: false, httpStatus: 400 },
  DEMO_DATABASE_NOT_EMPTY: { category: 'user', retryable: false, httpStatus: 400 },
  SECRETS_KEY_MISSING: { category: 'user', retryable: false, httpStatus: 503 },
  SIM_CARRIERS_FILE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },

  // Odoo event ingestion (src/connectors/odoo/ingest)
  ODOO_HINT_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_CHANGE_NOT_VISIBLE: { category: 'transient', retryable: true, httpStatus: 503 },
  ODOO_HINT_UNEXPECTED: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_MODEL_NOT_INSTALLED: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_FIELD_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_STATE_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_BACKFILL_INVALID: { category: 'user', retryable: false, httpStatus: 400 },

  // Odoo workflow steps (src/connectors/odoo/steps)
  ODOO_CONNECTION_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_EXTERNAL_REF_AMBIGUOUS: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_TOO_MANY_RECORDS: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_RETURN_LINES_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_UNEXPECTED_RESULT: { category: 'bug', retryable: false, httpStatus: 500 },

  // Approvals and delegations (src/approvals)
  APPROVAL_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  APPROVAL_ALREADY_DECIDED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_ALREADY_VOTED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_ESCALATED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_RUN_ENDED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_NOT_ASSIGNED: { category: 'user', retryable: false, httpStatus: 403 },
  APPROVAL_REASON_REQUIRED: { category: 'user', retryable: false, httpStatus: 400 },
  APPROVAL_SELF_APPROVAL: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_SAME_APPROVER: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_CONFLICT_OF_INTEREST: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_NO_ELIGIBLE_APPROVER: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_NOT_NOTIFIED: { category: 'user', retryable: false, httpStatus: 400 },
  APPROVAL_LINK_INVALID: { category: 'user', retryable: false, httpStatus: 404 },
  APPROVAL_LINK_USED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_LINK_EXPIRED: { category: 'user', retryable: false, httpStatus: 410 },
  APPROVAL_BULK_REFUSED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_BULK_CHANGED: { category: 'user', retryable: false, httpStatus: 409 },
  APPROVAL_STEP_UP_REQUIRED: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_STEP_UP_NOT_ENROLLED: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_STEP_UP_INVALID: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_STEP_UP_REPLAYED: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_STEP_UP_RECOVERY_USED: { category: 'policy', retryable: false, httpStatus: 422 },
  APPROVAL_CHAIN_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  APPROVAL_ODOO_UNAVAILABLE: { category: 'user', retryable: false, httpStatus: 400 },
  APPROVALS_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },
  APPROVER_PROFILE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  DELEGATION_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  DELEGATION_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },

  // The exception queue and the raise_exception step (src/exceptions)
  EXCEPTION_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  EXCEPTION_ID_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTION_ILLEGAL_TRANSITION: { category: 'user', retryable: false, httpStatus: 409 },
  EXCEPTION_NOT_RETRYABLE: { category: 'user', retryable: false, httpStatus: 409 },
  EXCEPTION_ACTION_NOT_ALLOWED: { category: 'user', retryable: false, httpStatus: 409 },
  EXCEPTION_ACTION_INPUT_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  TRACKING_REF_IN_USE: { category: 'user', retryable: false, httpStatus: 409 },
  EXCEPTION_GROUP_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTION_BULK_TARGET: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTION_BULK_NEEDS_CASE_INPUTS: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTION_OWNER_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTION_CASE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EXCEPTIONS_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },

  // The carrier connector and the carrier.* steps (src/connectors/carriers)
  CARRIER_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  CARRIER_SERVER_ERROR: { category: 'transient', retryable: true, httpStatus: 503 },
  CARRIER_RATE_LIMITED: { category: 'transient', retryable: true, httpStatus: 503 },
  CARRIER_BOOKING_REJECTED: { category: 'policy', retryable: false, httpStatus: 422 },
  CARRIER_AUTH_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_REQUEST_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_RESPONSE_INVALID: { category: 'bug', retryable: false, httpStatus: 500 },
  CARRIER_ALL_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_RATES_FAILED: { category: 'transient', retryable: true, httpStatus: 503 },
  CARRIER_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  CARRIER_WEBHOOK_INVALID: { category: 'user', retryable: false, httpStatus: 400 },

  // EDI X12 (src/edi, src/connectors/edi)
  EDI_INTERCHANGE_UNREADABLE: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_INTERCHANGE_MISADDRESSED: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_VALUE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_PARTNER_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_DELIVERY_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  EDI_DELIVERY_REJECTED: { category: 'user', retryable: false, httpStatus: 400 },
  EDI_DOCUMENT_UNKNOWN: { category: 'user', retryable: false, httpStatus: 404 },

  // Inbound e-mail's attachments over the API (src/api/routes/mail.ts)
  MAIL_ATTACHMENT_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  MAIL_ATTACHMENT_NOT_KEPT: { category: 'user', retryable: false, httpStatus: 410 },

  // AI providers, the ai.classify step and the recommendation log (src/connectors/ai, src/ai)
  AI_AUTH_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  AI_RATE_LIMITED: { category: 'transient', retryable: true, httpStatus: 503 },
  AI_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  AI_TIMEOUT: { category: 'transient', retryable: true, httpStatus: 503 },
  AI_REQUEST_REJECTED: { category: 'user', retryable: false, httpStatus: 400 },
  AI_ANSWER_INVALID: { category: 'bug', retryable: false, httpStatus: 500 },
  AI_NOT_CONFIGURED: { category: 'user', retryable: false, httpStatus: 400 },
  AI_BUDGET_SPENT: { category: 'policy', retryable: false, httpStatus: 422 },
  AI_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  AI_RECOMMENDATION_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  AI_REVIEW_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  AI_REVIEW_ILLEGAL: { category: 'user', retryable: false, httpStatus: 409 },
  AI_TRIAGE_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },
  AI_SET_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  AI_EXTRACT_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },
  // Shops (src/connectors/shop)
  SHOP_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  SHOP_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  SHOP_WEBHOOK_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  SHOP_PUSH_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  SHOP_PUSH_REJECTED: { category: 'user', retryable: false, httpStatus: 400 },

  // Inbound e-mail polled over IMAP (src/connectors/mail)
  IMAP_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  IMAP_UNREACHABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  IMAP_AUTH_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  IMAP_FOLDER_MISSING: { category: 'user', retryable: false, httpStatus: 400 },
  IMAP_CONNECTION_LOST: { category: 'transient', retryable: true, httpStatus: 503 },
  IMAP_PROTOCOL_ERROR: { category: 'transient', retryable: true, httpStatus: 503 },

  // Policies and the decide step (src/policies)
  POLICY_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  POLICY_NO_MATCH: { category: 'user', retryable: false, httpStatus: 400 },
  POLICY_EVALUATION_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  POLICIES_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  POLICY_CASES_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  POLICIES_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },

  // Notifications and the notify step (src/notify)
  NOTIFY_TEMPLATE_VARIABLE_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_TEMPLATE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_TEMPLATE_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_RECIPIENT_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_WEBHOOK_UNKNOWN: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_CONTENT_MISSING: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_CHANNEL_UNCONFIGURED: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_SMTP_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  NOTIFY_SMTP_DEFERRED: { category: 'transient', retryable: true, httpStatus: 503 },
  NOTIFY_CHAT_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  NOTIFY_SMTP_REJECTED: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_CHAT_REJECTED: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_SMTP_AUTH_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_SMTP_TLS_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  NOTIFY_UNAVAILABLE: { category: 'bug', retryable: false, httpStatus: 500 },

  // Sign-in, users, API tokens and access control (src/auth, src/api)
  AUTH_REQUIRED: { category: 'user', retryable: false, httpStatus: 401 },
  TOKEN_REJECTED: { category: 'user', retryable: false, httpStatus: 401 },
  LOGIN_FAILED: { category: 'user', retryable: false, httpStatus: 401 },
  SETUP_CODE_INVALID: { category: 'user', retryable: false, httpStatus: 401 },
  SETUP_DONE: { category: 'user', retryable: false, httpStatus: 409 },
  CSRF_FAILED: { category: 'user', retryable: false, httpStatus: 403 },
  FORBIDDEN: { category: 'user', retryable: false, httpStatus: 403 },
  USER_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  USER_EXISTS: { category: 'user', retryable: false, httpStatus: 409 },
  USER_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  USER_DISABLED: { category: 'user', retryable: false, httpStatus: 403 },
  USER_LAST_ADMIN: { category: 'policy', retryable: false, httpStatus: 422 },
  TOKEN_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  TOKEN_SCOPE_DENIED: { category: 'policy', retryable: false, httpStatus: 403 },
  TOKEN_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  TOTP_ALREADY_ENROLLED: { category: 'user', retryable: false, httpStatus: 409 },
  TOTP_NOT_ENROLLED: { category: 'user', retryable: false, httpStatus: 404 },
  TOTP_CODE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  TOTP_LOCKED: { category: 'user', retryable: false, httpStatus: 429 },
  TOTP_RECOVERY_CODE_USED: { category: 'user', retryable: false, httpStatus: 400 },

  // Webhooks and the secret store (src/triggers, src/secrets)
  HOOK_UNAUTHORIZED: { category: 'user', retryable: false, httpStatus: 401 },
  HOOK_SIGNATURE_MISSING: { category: 'user', retryable: false, httpStatus: 401 },
  HOOK_SIGNATURE_INVALID: { category: 'user', retryable: false, httpStatus: 401 },
  HOOK_TIMESTAMP_STALE: { category: 'user', retryable: false, httpStatus: 401 },
  HOOK_REPLAYED: { category: 'user', retryable: false, httpStatus: 401 },
  HOOK_MAPPING_FAILED: { category: 'user', retryable: false, httpStatus: 400 },
  SOURCE_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  SOURCE_EXISTS: { category: 'user', retryable: false, httpStatus: 409 },
  SOURCE_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  SECRET_NAME_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  SECRET_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 404 },
  SECRETS_KEY_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  // The operator's to fix (a key missing from the keyring); the answer hides which key, the log has it.
  SECRET_UNREADABLE: { category: 'user', retryable: false, httpStatus: 500 },

  // Odoo failures, mapped once by src/connectors/odoo/error-map.ts (docs/error-codes-odoo.md)
  ODOO_ACCESS_DENIED: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_ACCESS_ERROR: { category: 'policy', retryable: false, httpStatus: 422 },
  ODOO_PRIVATE_METHOD: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_USER_ERROR: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_VALIDATION_ERROR: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_MISSING_RECORD: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_UNKNOWN_MODEL: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_UNKNOWN_FIELD: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_UNKNOWN_METHOD: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_INVALID_DOMAIN: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_INVALID_ARGUMENT: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_RESULT_NOT_MARSHALLABLE: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_DATABASE_NOT_FOUND: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_SERVER_ERROR: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_PROTOCOL_ERROR: { category: 'bug', retryable: false, httpStatus: 500 },
  ODOO_SESSION_EXPIRED: { category: 'transient', retryable: true, httpStatus: 503 },
  ODOO_SERIALIZATION_FAILURE: { category: 'transient', retryable: true, httpStatus: 503 },
  ODOO_UNAVAILABLE: { category: 'transient', retryable: true, httpStatus: 503 },
  ODOO_TIMEOUT: { category: 'transient', retryable: true, httpStatus: 503 },

  // The Odoo connector itself (docs/error-codes-odoo.md)
  ODOO_CONFIG_INVALID: { category: 'user', retryable: false, httpStatus: 400 },
  ODOO_VALUE_INVALID: { category: 'bug', retryable: false, httpStatus: 500 },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** The registry's entries of some codes: what a connector shows of its own codes. */
export function pickErrorCodes<const C extends ErrorCode>(
  codes: readonly C[],
): { readonly [K in C]: (typeof ERROR_CODES)[K] } {
  return Object.fromEntries(codes.map((code) => [code, ERROR_CODES[code]])) as {
    [K in C]: (typeof ERROR_CODES)[K];
  };
}
