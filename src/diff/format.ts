// The three outputs of `diff`: text for a terminal, markdown for a pull-request comment (capped,
// GitHub refuses comments over 65,536 characters), json for tools.
import { colourDiff } from '../scaffold/write/diff.ts';
import type { DiffResult, ObjectRef } from './compare.ts';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const isFormat = (f: string): f is Format => (FORMATS as readonly string[]).includes(f);

/** Default markdown cap: well under GitHub's comment limit, leaving room for the note. */
export const MARKDOWN_CAP = 60_000;

const id = (o: ObjectRef): string => `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const SECRET_NOTE = 'changed (Secret: values not shown)';

export function text(r: DiffResult, tty: boolean): string {
  if (r.entries.length === 0) return `no difference in the rendered objects between ${r.base} and ${r.head}\n`;
  const out: string[] = [];
  for (const e of r.entries) {
    out.push(`== ${e.entry}: ${e.added.length} added, ${e.removed.length} removed, ${e.changed.length} changed`);
    for (const err of e.errors) out.push(`! build failed at ${err}`);
    for (const o of e.added) out.push(`+ ${id(o)}`);
    for (const o of e.removed) out.push(`- ${id(o)}`);
    for (const o of e.changed) {
      out.push(`~ ${id(o)}${o.secret ? ` ${SECRET_NOTE}` : ''}`);
      if (o.diff) out.push(colourDiff(o.diff, tty).trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}

export function json(r: DiffResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Summary table first (always whole), then per-object details until the cap; the rest is counted in a note. */
export function markdown(r: DiffResult, cap: number = MARKDOWN_CAP): string {
  const head = [`### matrix-gitops diff: \`${r.base}\` → \`${r.head}\``, ''];
  if (r.entries.length === 0) return `${head.join('\n')}No difference in the rendered objects.\n`;
  head.push('| entry point | added | removed | changed |', '|---|---|---|---|');
  for (const e of r.entries) head.push(`| \`${e.entry}\`${e.errors.length ? ' ⚠️ build failed' : ''} | ${e.added.length} | ${e.removed.length} | ${e.changed.length} |`);
  head.push('');
  // Items in order: each entry's heading, one line per added/removed object or Secret, one
  // collapsed diff per other changed object. They are added whole until the cap is reached.
  const items: { text: string; counted: boolean }[] = [];
  for (const e of r.entries) {
    items.push({ text: `#### \`${e.entry}\`\n\n`, counted: false });
    for (const err of e.errors) items.push({ text: `- ⚠️ build failed at ${err.replace(/`/g, "'")}\n`, counted: true });
    for (const o of e.added) items.push({ text: `- added \`${id(o)}\`\n`, counted: true });
    for (const o of e.removed) items.push({ text: `- removed \`${id(o)}\`\n`, counted: true });
    for (const o of e.changed.filter((c) => !c.diff)) items.push({ text: `- \`${id(o)}\` ${SECRET_NOTE}\n`, counted: true });
    for (const o of e.changed.filter((c) => c.diff)) {
      items.push({ text: `\n<details><summary>changed <code>${html(id(o))}</code></summary>\n\n\`\`\`diff\n${o.diff}\`\`\`\n</details>\n`, counted: true });
    }
    items.push({ text: '\n', counted: false });
  }
  let body = `${head.join('\n')}\n`;
  const noteRoom = 200;
  const total = items.filter((i) => i.counted).length;
  let left = 0;
  for (const item of items) {
    if (left > 0 || body.length + item.text.length + noteRoom > cap) {
      if (item.counted) left++;
      continue;
    }
    body += item.text;
  }
  if (left > 0) {
    body += `\n> Output capped at ${cap} characters: ${left} of ${total} objects not shown. Run \`matrix-gitops diff\` locally for all of it.\n`;
  }
  return body;
}
