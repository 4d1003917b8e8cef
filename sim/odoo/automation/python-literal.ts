/**
 * Reads the Python literals automation rules store as text, such as
 * filter_domain "[('location_id.usage', '=', 'internal')]": lists, tuples, strings,
 * numbers, True/False/None. Anything else (expressions, names) is refused.
 */
import { py } from '../errors.ts';

export function parsePythonLiteral(text: string): unknown {
  let position = 0;
  const fail = (): never => {
    throw py.valueError(`malformed node or string: ${text}`);
  };
  const skipSpace = () => {
    while (position < text.length && /\s/.test(text[position] ?? '')) position += 1;
  };
  const parseString = (quote: string): string => {
    position += 1;
    let out = '';
    while (position < text.length && text[position] !== quote) {
      if (text[position] === '\\') position += 1;
      out += text[position] ?? '';
      position += 1;
    }
    if (text[position] !== quote) fail();
    position += 1;
    return out;
  };
  const parseSequence = (close: string): unknown[] => {
    position += 1;
    const items: unknown[] = [];
    skipSpace();
    while (text[position] !== close) {
      items.push(parseValue());
      skipSpace();
      if (text[position] === ',') position += 1;
      else if (text[position] !== close) fail();
      skipSpace();
    }
    position += 1;
    return items;
  };
  const parseValue = (): unknown => {
    skipSpace();
    const char = text[position];
    if (char === '[') return parseSequence(']');
    if (char === '(') return parseSequence(')');
    if (char === "'" || char === '"') return parseString(char);
    const word = /^(True|False|None|-?\d+(?:\.\d+)?)/.exec(text.slice(position));
    if (word?.[1] === undefined) return fail();
    position += word[1].length;
    if (word[1] === 'True') return true;
    if (word[1] === 'False') return false;
    if (word[1] === 'None') return null;
    return Number(word[1]);
  };
  const value = parseValue();
  skipSpace();
  if (position !== text.length) fail();
  return value;
}
