// The every-option config of test/integration/fixtures/every-option, through the real loader
// (@@DIR@@ → that folder, so the Sygnal credential files resolve).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '../../../src/scaffold/config/load.ts';
import type { MatrixConfig } from '../../../src/scaffold/config/types.ts';

export const EVERY_OPTION_DIR = path.join(import.meta.dirname, '../../integration/fixtures/every-option');

export function everyOptionText(): string {
  return readFileSync(path.join(EVERY_OPTION_DIR, 'matrix-gitops.yaml'), 'utf8').replaceAll('@@DIR@@', EVERY_OPTION_DIR);
}

export function everyOptionConfig(overrides: Record<string, unknown> = {}): MatrixConfig {
  return validateConfig({ ...(parse(everyOptionText()) as Record<string, unknown>), ...overrides }, 'every-option');
}
