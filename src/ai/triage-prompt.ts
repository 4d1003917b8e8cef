/**
 * The exception-triage prompt and the answer it asks for. The answer's category and team
 * must come from the workflow's lists (the JSON Schema's enums, checked again with zod), so
 * a model cannot route a case to a team that does not exist.
 */
import { z } from 'zod';
import type { AnswerSchema, ChatMessage } from '../connectors/ai/index.ts';
import type { ExampleRow } from './log.ts';

export const TRIAGE_USE = 'exception_triage';

export interface TriageAnswer {
  category: string;
  team: string;
  action: string;
  confidence: number;
  reason: string;
}

export function triageSchema(categories: string[], teams: string[]): AnswerSchema<TriageAnswer> {
  return {
    name: 'exception_triage',
    jsonSchema: {
      type: 'object',
      properties: {
        category: { type: 'string', enum: categories },
        team: { type: 'string', enum: teams },
        action: { type: 'string' },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        reason: { type: 'string' },
      },
      required: ['category', 'team', 'action', 'confidence', 'reason'],
      additionalProperties: false,
    },
    parse: z.strictObject({
      category: z.enum(categories as [string, ...string[]]),
      team: z.enum(teams as [string, ...string[]]),
      action: z.string().trim().min(1).max(500),
      confidence: z.number().min(0).max(1),
      reason: z.string().trim().max(1000),
    }),
  };
}

export function triageMessages(
  caseText: string,
  categories: string[],
  teams: string[],
  examples: ExampleRow[],
): ChatMessage[] {
  const system = [
    'You triage exception cases of a warehouse and order-fulfilment operation.',
    `Choose the root-cause category (one of: ${categories.join(', ')}) and the owner team (one of: ${teams.join(', ')}),`,
    'recommend the next action in one sentence, say why in one sentence, and give your confidence from 0 to 1.',
    'Placeholders such as [person], [email], [phone] and [address] stand for removed personal data.',
  ];
  if (examples.length > 0) {
    system.push('', 'Cases people have decided (follow them for similar cases):');
    for (const e of examples) {
      const label = e.label as { category?: string; team?: string };
      system.push(
        `- case: ${e.input.replace(/\n/g, ' | ')}`,
        `  category: ${label.category}, team: ${label.team}`,
      );
    }
  }
  return [
    { role: 'system', content: system.join('\n') },
    { role: 'user', content: caseText },
  ];
}
