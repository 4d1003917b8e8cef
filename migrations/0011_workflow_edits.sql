-- Workflow versions saved from the dashboard's editor, and which one is current.

-- The YAML text a version was saved as (the editor's versions; null for versions loaded from
-- files, whose text is the file).
ALTER TABLE workflow_versions ADD COLUMN source_text text;

-- One row per workflow edited in the dashboard: its current version is `hash` for as long as
-- the workflow files still hold `base_hash` (the version loaded from the files when the first
-- edit was saved). A changed file (a deployment) supersedes the edits.
CREATE TABLE workflow_edits (
  workflow_id  text        PRIMARY KEY,
  base_hash    text        NOT NULL,
  hash         text        NOT NULL,
  -- The actor who saved it: "user:3 ana@example.com".
  saved_by     text        NOT NULL,
  saved_at     timestamptz NOT NULL,
  FOREIGN KEY (workflow_id, hash) REFERENCES workflow_versions (workflow_id, hash),
  FOREIGN KEY (workflow_id, base_hash) REFERENCES workflow_versions (workflow_id, hash)
);
