import { evaluateExpressionSync, evaluateUnaryExpressionSync } from '@gorules/zen-engine';

/**
 * zen-engine does not refuse a table whose cell does not parse: at evaluation the rule just
 * never matches (or its output is dropped), which is the worst kind of failure for a policy.
 * So every cell is compiled when the file loads, by evaluating it once against an empty
 * context: a lexer or parser error is a broken cell; any other error (a type error on the
 * empty context, say) means the cell parses, which is all we check here.
 */

/** zen's errors are JSON in the first line of the message: {"type":"parserError","source":"..."}. */
export function zenErrorOf(error: unknown): { type: string; message: string } {
  const text = String((error as Error)?.message ?? error);
  const first = text.split('\n')[0] ?? text;
  try {
    const parsed = JSON.parse(first) as { type?: unknown; source?: unknown };
    const source =
      typeof parsed.source === 'string' ? parsed.source : JSON.stringify(parsed.source ?? parsed);
    return { type: typeof parsed.type === 'string' ? parsed.type : 'unknown', message: source };
  } catch {
    return { type: 'unknown', message: first };
  }
}

const SYNTAX = new Set(['parserError', 'lexerError']);

/** The syntax error of a cell, or null if it parses. An input cell with a field is unary ("> 10", "'A', 'B'"). */
export function cellSyntaxError(cell: string, kind: 'unary' | 'expression'): string | null {
  if (cell.trim() === '') return null; // an empty input cell matches anything; an empty output cell is null
  try {
    if (kind === 'unary') evaluateUnaryExpressionSync(cell, { $: null });
    else evaluateExpressionSync(cell, {});
    return null;
  } catch (error) {
    const zen = zenErrorOf(error);
    return SYNTAX.has(zen.type) ? zen.message : null;
  }
}
