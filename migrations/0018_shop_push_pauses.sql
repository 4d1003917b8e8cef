-- When a shop's Admin API may be called again, shared by every Crossdock process: one row per
-- shop. A process whose call is answered 429 (with Retry-After), 408, 5xx, or not at all
-- moves `not_before` forward (never back: the later of two waits stands); every process
-- reads it before it claims levels to push, so the others wait too instead of each meeting
-- the shop's full bucket in turn. A time in the past is no pause.
CREATE TABLE shop_push_pauses (
  shop       text        PRIMARY KEY,
  not_before timestamptz NOT NULL,
  reason     text        NOT NULL,
  updated_at timestamptz NOT NULL
);
