-- Bulk approval: a request whose step allowed it (`bulk:`, decided by its policy) carries a
-- group key naming what makes requests identical: the workflow, the step, the chain (its
-- levels as defined) and the policy identity (policy id, version and matched rules, or the
-- policy as given). Requests with equal keys at the same level may be approved together.
-- NULL: the request is decided on its own only (so is every request opened before this).
ALTER TABLE approval_requests ADD COLUMN bulk_group text;
