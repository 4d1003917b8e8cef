/**
 * CROSSDOCK_AI_PRICES: what each AI model costs, `model=input/output` entries separated by
 * commas, in US dollars per 1M tokens: `gpt-4o-mini=0.15/0.60,llama3.1=0/0` (src/ai/cost.ts
 * prices each recommendation with it).
 */
import { z } from 'zod';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

const MODEL_PRICE = /^([^=,\s]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/;

/** Each bad entry is named in the message; a model priced twice is refused, not overwritten. */
export const AiPricesText = z.string().transform((text, ctx) => {
  const prices: Record<string, ModelPrice> = {};
  for (const entry of text.split(',').map((e) => e.trim())) {
    const m = MODEL_PRICE.exec(entry);
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not model=input/output (dollars per 1M tokens, e.g. gpt-4o-mini=0.15/0.60)`,
      });
      return z.NEVER;
    }
    if (prices[m[1]!]) {
      ctx.addIssue({ code: 'custom', message: `${m[1]} is priced twice` });
      return z.NEVER;
    }
    prices[m[1]!] = { inputPerMTok: Number(m[2]), outputPerMTok: Number(m[3]) };
  }
  return prices;
});
