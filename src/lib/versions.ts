// Typed access to versions.json, the single place where every version is pinned.
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * The package root: the folder holding package.json, versions.json and policies/. This module is
 * src/lib/versions.ts under tsx and part of a bundle file in dist/cli/ in the installed package
 * (scripts/dev/build.ts keeps every chunk there); both sit two levels below the root, so one rule
 * serves the checkout and the tarball alike.
 */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Kept for the project's own tooling, which means the checkout (the same folder). */
export const projectRoot = packageRoot;

let cached: Versions | undefined;
export function versions(): Versions {
  if (!cached) {
    const file = path.join(packageRoot, 'versions.json');
    // A package built without versions.json in `files` is a packaging bug; say so rather than ENOENT.
    if (!existsSync(file)) throw new Error(`matrix-gitops is incomplete: ${file} is missing (reinstall the package)`);
    cached = JSON.parse(readFileSync(file, 'utf8')) as Versions;
  }
  return cached;
}

/** This package's own version (package.json), which generated repositories depend on. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
