import type { CrossdockConfig } from '../config/index.ts';
import { aiModelCommand, type AiModelFlags } from './ai-models.ts';
import { aiReviewCommand, type AiReviewFlags } from './ai-reviews.ts';
import { aiRiskCommand } from './ai-risk.ts';
import type { Output } from './output.ts';

export type AiFlags = AiModelFlags & AiReviewFlags;

/**
 * `crossdock ai ...`: the offline model (`train`, `eval`, ai-models.ts) and the review tasks
 * of AI recommendations (`reviews`, `show`, `accept`, `override`, ai-reviews.ts), and the
 * delay-risk priority list (`risk`, ai-risk.ts).
 */
export function aiCommand(
  config: CrossdockConfig,
  rest: string[],
  flags: AiFlags,
  out: Output,
): Promise<number> {
  if (rest[0] === 'risk') return aiRiskCommand(config, rest, flags, out);
  return rest[0] === 'train' || rest[0] === 'eval'
    ? aiModelCommand(config, rest, flags, out)
    : aiReviewCommand(config, rest, flags, out);
}
