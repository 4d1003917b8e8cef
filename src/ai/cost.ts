/**
 * What a recommendation cost: its prompt and completion tokens at the price configured for
 * its model (CROSSDOCK_AI_PRICES, US dollars per 1M tokens, input and output apart). The
 * built-in offline model and the extraction rules run in process and cost 0; so does a call
 * that returned no token counts (it failed before an answer). A provider's model without a
 * price costs null: unknown, not free, and said so in the summary.
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}
/** By model name, as configured (CROSSDOCK_AI_MODEL) or as the provider answered it. */
export type AiPrices = Readonly<Record<string, ModelPrice>>;

const BUILT_IN = /^crossdock-/;

export function costOf(
  prices: AiPrices,
  row: {
    model: string;
    answeredModel: string | null;
    promptTokens: number | null;
    completionTokens: number | null;
  },
): number | null {
  if (BUILT_IN.test(row.answeredModel ?? row.model)) return 0;
  if (row.promptTokens === null && row.completionTokens === null) return 0;
  const price =
    (row.answeredModel !== null ? prices[row.answeredModel] : undefined) ?? prices[row.model];
  if (!price) return null;
  const dollars =
    ((row.promptTokens ?? 0) * price.inputPerMTok +
      (row.completionTokens ?? 0) * price.outputPerMTok) /
    1_000_000;
  return Math.round(dollars * 1e8) / 1e8;
}
