import type { Report } from '../types.ts';
import { formatPretty, type PrettyOptions } from './pretty.ts';
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
} as const satisfies Record<string, (r: Report, opts: FormatOptions) => string>;

/** Only the pretty format has a verbose form; the machine formats always carry everything. */
export type FormatOptions = Pick<PrettyOptions, 'verbose' | 'quiet'>;

export type FormatName = keyof typeof FORMATS;

export function isFormat(s: string): s is FormatName {
  return Object.hasOwn(FORMATS, s);
}
