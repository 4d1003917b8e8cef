-- A run's priority: the time its work is due by (a marketplace order's ship-by, for one),
-- taken at intake from the expression its workflow declares (`priority.due_by`). Null: no
-- priority. Among runs that are due, the claim takes those due by the earliest time first,
-- then the rest by available_at as before.
ALTER TABLE runs ADD COLUMN due_by timestamptz;

-- The claim's prioritized half walks this index in due-by order and skips the few
-- prioritized runs that are parked (available_at still ahead); runs without a priority are
-- not in it, so a site that declares none pays nothing. runs_claimable still serves the rest.
CREATE INDEX runs_claimable_due ON runs (due_by, available_at, id)
  WHERE status IN ('ready', 'waiting') AND due_by IS NOT NULL;
