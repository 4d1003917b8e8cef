import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of one process, read from /proc (Linux). */
export interface RssSample {
  /** Whole resident set, bytes. */
  rss: number;
  /** Resident part of the C heap (brk, `[heap]`): native allocations of node and its addons. */
  heap: number;
  /** Resident part of the largest anonymous mapping: PGlite's WebAssembly memory in the embedded process. */
  wasm: number;
}

/** Null when the process is gone. */
export function rssBreakdown(pid: number): RssSample | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  let rss = 0;
  let heap = 0;
  let wasm = 0;
  let name = '';
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      name = mapping[1] ?? '';
      continue;
    }
    if (!line.startsWith('Rss:')) continue;
    const bytes = Number(line.split(/\s+/)[1]) * 1024;
    rss += bytes;
    if (name === '[heap]') heap += bytes;
    else if (name === '' && bytes > wasm) wasm = bytes;
  }
  return { rss, heap, wasm };
}

/** Every process below `root`, with its command line. */
export function descendants(root: number): { pid: number; command: string }[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter(below).flatMap((pid) => {
    try {
      return [
        { pid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() },
      ];
    } catch {
      return [];
    }
  });
}
