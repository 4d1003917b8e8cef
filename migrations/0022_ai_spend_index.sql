-- The spending limit (src/ai/budget.ts) sums the cost of the UTC day's and month's
-- recommendations before every call to an external provider. Only calls that cost something
-- count, and those are few beside the offline model's and the delay-risk passes' rows (cost 0):
-- this index holds just them, with their cost, so the sum reads the index alone.
CREATE INDEX ai_recommendations_paid ON ai_recommendations (created_at) INCLUDE (cost_usd)
  WHERE cost_usd > 0;
