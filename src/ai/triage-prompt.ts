/**
 * The exception-triage prompt and the answer it asks for. The answer's category and team
 * must come from the workflow's lists (the JSON Schema's enums, checked again with zod), so
 * a model cannot route a case to a team that does not exist.
 */
import { z } from 'zod';
import type { AnswerSchema, ChatMessage } from '../connectors/ai/index.ts';
import { SEVERITIES, type Severity } from '../exceptions/index.ts';
import type { ExampleRow } from './log.ts';

export const TRIAGE_USE = 'exception_triage';

export interface TriageAnswer {
  category: string;
  team: string;
  action: string;
  confidence: number;
  reason: string;
  /** Asked for only when the step assesses severity; absent or null: the case keeps its own. */
  severity?: Severity | null;
  /** Asked for only when the step drafts a summary: two sentences at most, for the case. */
  summary?: string;
}

/** What a step asks for beyond the category and team. */
export interface TriageWants {
  severity: boolean;
  summary: boolean;
}

export const NO_EXTRAS: TriageWants = { severity: false, summary: false };

export function triageSchema(
  categories: string[],
  teams: string[],
  wants: TriageWants = NO_EXTRAS,
): AnswerSchema<TriageAnswer> {
  const required = ['category', 'team', 'action', 'confidence', 'reason'];
  if (wants.severity) required.push('severity');
  if (wants.summary) required.push('summary');
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
        ...(wants.severity ? { severity: { type: 'string', enum: SEVERITIES } } : {}),
        ...(wants.summary ? { summary: { type: 'string' } } : {}),
      },
      required,
      additionalProperties: false,
    },
    parse: z.strictObject({
      category: z.enum(categories as [string, ...string[]]),
      team: z.enum(teams as [string, ...string[]]),
      action: z.string().trim().min(1).max(500),
      confidence: z.number().min(0).max(1),
      reason: z.string().trim().max(1000),
      ...(wants.severity ? { severity: z.enum(SEVERITIES) } : {}),
      ...(wants.summary ? { summary: z.string().trim().min(1).max(600) } : {}),
    }) as unknown as z.ZodType<TriageAnswer>,
  };
}

export function triageMessages(
  caseText: string,
  categories: string[],
  teams: string[],
  examples: ExampleRow[],
  wants: TriageWants = NO_EXTRAS,
): ChatMessage[] {
  const system = [
    'You triage exception cases of a warehouse and order-fulfilment operation.',
    `Choose the root-cause category (one of: ${categories.join(', ')}) and the owner team (one of: ${teams.join(', ')}),`,
    'recommend the next action in one sentence, say why in one sentence, and give your confidence from 0 to 1.',
    ...(wants.severity ? [`Assess the severity (one of: ${SEVERITIES.join(', ')}).`] : []),
    ...(wants.summary
      ? ['Write a summary of the case for the team in at most two sentences, from its own text.']
      : []),
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
