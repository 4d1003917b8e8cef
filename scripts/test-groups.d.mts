// Types of scripts/test-groups.mjs, for the tests that import it.
export declare const DEFAULT_GROUP_SIZE: number;
export declare function groupFiles(
  files: string[],
  size: number,
  root: string,
): { groups: string[][]; wrapped: Map<string, string> };
export declare function suiteWrapped(path: string, contents: string, root: string): string | null;
