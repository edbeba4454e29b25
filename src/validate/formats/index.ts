import type { Report } from '../types.ts';
import { formatPretty } from './pretty.ts';
import { formatJson } from './json.ts';
import { formatSarif } from './sarif.ts';
import { formatJunit } from './junit.ts';
import { formatGithub } from './github.ts';

export const FORMATS = {
  pretty: formatPretty,
  json: formatJson,
  sarif: formatSarif,
  junit: formatJunit,
  github: formatGithub,
} as const satisfies Record<string, (r: Report) => string>;

export type FormatName = keyof typeof FORMATS;

export function isFormat(s: string): s is FormatName {
  return Object.hasOwn(FORMATS, s);
}
