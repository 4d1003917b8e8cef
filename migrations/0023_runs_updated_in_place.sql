-- Every step's checkpoint updates its run (cursor, seq, updated_at). With updated_at in an
-- index (runs_status), each of those updates wrote a new version of the row and a new entry
-- in every index of the table. Ended runs are now found by when they ended (ended_at: set
-- once, when the run ends, and equal to updated_at for every ended run), active runs by their
-- status alone, and each page keeps room for new row versions: a checkpoint that changes no
-- indexed column updates its run in place (a heap-only tuple), touching no index.
UPDATE runs SET ended_at = updated_at
  WHERE status IN ('completed', 'failed', 'cancelled') AND ended_at IS NULL;
DROP INDEX runs_status;
-- Led by ended_at: a range of it is what every reader of ended runs asks for.
CREATE INDEX runs_ended ON runs (ended_at, status)
  WHERE status IN ('completed', 'failed', 'cancelled');
CREATE INDEX runs_active ON runs (status)
  WHERE status IN ('queued', 'ready', 'running', 'waiting');
ALTER TABLE runs SET (fillfactor = 70);
