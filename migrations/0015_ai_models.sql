-- The built-in offline models: one row per training of a use's classifier, trained on the
-- site's own history (people's decisions on recommendations, cases resolved by people).
-- `version` counts up per use; the current model of a use is its highest version. A row is
-- never changed: retraining adds one, so every recommendation names the version it came from.
CREATE TABLE ai_models (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  use         text        NOT NULL,
  version     integer     NOT NULL CHECK (version > 0),
  -- the algorithm, e.g. naive_bayes
  kind        text        NOT NULL,
  trained_at  timestamptz NOT NULL,
  -- who asked: the command line, the schedule's run, a person
  trained_by  text        NOT NULL,
  -- labelled examples it was trained on, and how many came from each source
  examples    integer     NOT NULL CHECK (examples >= 0),
  sources     jsonb       NOT NULL,
  -- [{ category, team, examples }]: the classes it can answer
  classes     jsonb       NOT NULL,
  -- how its probabilities were calibrated (method, parameter, held-out log loss)
  calibration jsonb       NOT NULL,
  -- the fitted parameters (token counts per class)
  params      jsonb       NOT NULL,
  UNIQUE (use, version)
);

-- Labelled cases imported from a file (`crossdock ai train --set`): a new site's start, kept
-- so that every later retraining (the schedule's too) still learns from them. Once per
-- redacted input and use; importing the file again adds nothing.
CREATE TABLE ai_seed_examples (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  use         text        NOT NULL,
  input_hash  text        NOT NULL,
  -- the redacted case, as a provider is given it
  input       text        NOT NULL,
  label       jsonb       NOT NULL,
  -- the file it came from, as named on the command line
  source_file text        NOT NULL,
  added_by    text        NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (use, input_hash)
);
