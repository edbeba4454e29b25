// Typed access to versions.json, the single place where every version is pinned.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface ToolPin {
  version: string;
  module: string;
  binaries: string[];
  versionArgs: string[];
  ldflags: string;
}

export interface Versions {
  tools: Record<string, ToolPin>;
  schemas: Record<string, unknown> & { kubernetesVersion: string };
  images: Record<string, string>;
  charts: Record<string, unknown>;
  boot: Record<string, unknown>;
  e2e: Record<string, unknown>;
}

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: Versions | undefined;
export function versions(): Versions {
  cached ??= JSON.parse(readFileSync(path.join(projectRoot, 'versions.json'), 'utf8')) as Versions;
  return cached;
}
