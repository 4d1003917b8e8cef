-- Where each Odoo poller has read up to: (write_date, id) of the last record it emitted.
-- Pollers re-read an overlap window behind it, so rows committed late are not missed.
CREATE TABLE odoo_poll_cursors (
  source       text        NOT NULL,
  event        text        NOT NULL,
  write_date   text        NOT NULL,  -- Odoo's naive UTC "YYYY-MM-DD HH:MM:SS"
  record_id    integer     NOT NULL,
  -- Where the poller started: the overlap window never reaches back before it.
  floor_write_date text    NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (source, event)
);
