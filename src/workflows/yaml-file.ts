import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ErrorDetail } from '../errors/index.ts';

/**
 * A configuration file's YAML, read and parsed; a file that cannot be read or is not YAML is
 * handed to `refuse` with one detail naming the file and why (each configuration has its own
 * error code, which `refuse` throws).
 */
export function readYamlFile(path: string, refuse: (details: ErrorDetail[]) => never): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return refuse([
      {
        path,
        message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    return refuse([{ path, message: `not YAML: ${(error as Error).message}` }]);
  }
}
