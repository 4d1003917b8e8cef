-- Calls to each connector and how many failed, per minute: the dashboard's integration
-- error rate. Connector names: `odoo:<connection name>`, `carrier:<code>`.
--
-- Each process counts in memory (src/observability/connector-stats.ts) and flushes every
-- few seconds with an additive upsert (calls = calls + EXCLUDED.calls), so any number of
-- worker processes add up into the same rows. `errors` counts the calls that did not
-- succeed (socket error, timeout, 5xx, 429, a refusal); errors <= calls.
CREATE TABLE connector_stats (
  bucket_start  timestamptz NOT NULL,
  connector     text        NOT NULL,
  calls         bigint      NOT NULL CHECK (calls >= 0),
  errors        bigint      NOT NULL CHECK (errors >= 0 AND errors <= calls),
  -- The KPI query reads a time range: the key leads with the bucket.
  PRIMARY KEY (bucket_start, connector)
);
