/** Workflow versions as the API gives them (GET /workflows/:id/versions and .../versions/:hash). */
import type { WorkflowGraph } from './components/Graph.tsx';

export interface WorkflowDetail {
  id: string;
  /** The content hash that pins runs. */
  version: string;
  label: string | number | null;
  description: string | null;
  file: string | null;
  trigger: unknown;
  steps: number;
  definition: { steps: { id: string; type: string; with?: unknown }[] };
  graph: WorkflowGraph;
}

export interface StoredVersion {
  hash: string;
  label: string | number | null;
  createdAt: string;
  file: string | null;
  current: boolean;
  runs: number;
  /** Saved from the dashboard's editor rather than loaded from a file. */
  edited: boolean;
}

export interface VersionChanges {
  stepsAdded: string[];
  stepsRemoved: string[];
  stepsChanged: string[];
  stepOrderChanged: boolean;
  triggerChanged: boolean;
  settingsChanged: string[];
}

export interface VersionDetail extends WorkflowDetail {
  current: boolean;
  createdAt: string;
  runs: number;
  previous: { version: string; label: string | number | null; createdAt: string } | null;
  changes: VersionChanges | null;
}

/** "3 (a1b2c3d4)" with a label, else the hash's first 12 characters. */
export function versionName(label: string | number | null, hash: string): string {
  return label === null ? hash.slice(0, 12) : `${label} (${hash.slice(0, 8)})`;
}

export const workflowPath = (id: string) => `/workflows/${encodeURIComponent(id)}`;
export const versionPath = (id: string, hash: string) =>
  `${workflowPath(id)}/versions/${encodeURIComponent(hash)}`;
