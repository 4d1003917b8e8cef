-- Stock levels to push to shops: one row per (shop, shop location, SKU), the newest quantity
-- read from Odoo and what the shop was last sent.
--
-- Last writer by Odoo's order: `version` is the newest write_date of the product's quants in
-- the read the level came from; a level from an older read never replaces a newer one (the
-- upsert's WHERE). A row is due while `pushed_available` differs from `available`; a push
-- records what it sent, so a level queued while its push was in flight stays due and goes
-- in the next call: no update is lost. `next_attempt_at` is both the backoff after a 429 or a
-- failure and the claim of a push in flight (a pusher takes due rows FOR UPDATE SKIP LOCKED
-- and moves it ahead), so two pushers never send one SKU at once and an older value cannot
-- land after a newer one.
CREATE TABLE shop_stock_levels (
  shop             text        NOT NULL,
  location         text        NOT NULL,
  sku              text        NOT NULL,
  available        integer     NOT NULL CHECK (available >= 0),
  version          text        NOT NULL,
  queued_at        timestamptz NOT NULL,
  pushed_available integer,
  pushed_version   text,
  pushed_at        timestamptz,
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  PRIMARY KEY (shop, location, sku)
);

CREATE INDEX shop_stock_levels_due ON shop_stock_levels (shop, next_attempt_at)
  WHERE pushed_available IS DISTINCT FROM available;
