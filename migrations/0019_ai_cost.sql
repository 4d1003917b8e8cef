-- The cost of each AI recommendation (src/ai/cost.ts), in US dollars, from its prompt and
-- completion tokens and the price configured for its model (CROSSDOCK_AI_PRICES, per 1M
-- tokens) when the row was written: a later change of price does not rewrite the past. Null:
-- the provider's model had no price configured (tokens are still kept). The built-in offline
-- model and the extraction rules cost 0, as does a call that returned no tokens.
ALTER TABLE ai_recommendations ADD COLUMN cost_usd numeric;

UPDATE ai_recommendations SET cost_usd = 0
  WHERE answered_model LIKE 'crossdock-%'
     OR (prompt_tokens IS NULL AND completion_tokens IS NULL);
