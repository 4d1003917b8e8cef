import { readFileSync } from 'node:fs';
import { usageError } from './output.ts';

/** A JSON file named by a flag (--event, --input, --file); a bad one is a usage error naming the flag. */
export function readJsonFile(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseJson(text, `${flag} ${path}`);
}

export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}
