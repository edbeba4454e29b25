// Flux's postBuild variable substitution (fluxcd/pkg envsubst as kustomize-controller v1.9 runs it),
// not bash's: only ${…} is a variable, $$ becomes $ everywhere, strict mode fails on an unset
// variable, and ${a.b} / ${a-b} are fatal. See /work/shared/reference/flux-semantics.md §2.

export class SubstituteError extends Error {}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
export const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

function evalExpr(expr: string, vars: Map<string, string>, strict: boolean): string {
  const m = NAME.exec(expr);
  if (!m) throw new SubstituteError(`envsubst error: unable to parse variable name in "\${${expr}}"`);
  const name = m[0];
  const rest = expr.slice(name.length);
  const value = vars.get(name);
  // The default operators; :+ and :? behave like a default in fluxcd/pkg envsubst.
  const dflt = /^(:=|:-|=|:\+|:\?)(.*)$/s.exec(rest);
  if (dflt) {
    if (value !== undefined && (dflt[1] === '=' ? true : value !== '')) return value;
    return dflt[2];
  }
  if (rest !== '' && !/^(#|\^\^?|,,?|:[0-9]|\/|%)/.test(rest) && !(name === '' && rest.startsWith('#'))) {
    throw new SubstituteError(`envsubst error: missing closing brace in "\${${expr}}"`);
  }
  if (value === undefined) {
    if (strict) throw new SubstituteError(`variable not set (strict mode): "${name}"`);
    return '';
  }
  if (rest === '') return value;
  if (rest === '^^') return value.toUpperCase();
  if (rest === ',,') return value.toLowerCase();
  // Other transforms (${#v}, substrings, replacements) are rare in manifests; the value is close enough
  // for schema and policy checks.
  return value;
}

/** Substitutes one re-serialised object; throws SubstituteError where Flux would fail the Kustomization. */
export function substitute(text: string, vars: Map<string, string>, strict = true): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw new SubstituteError(`envsubst error: missing closing brace`);
      out += evalExpr(text.slice(i + 2, end), vars, strict);
      i = end + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Every value loses its newlines (kustomize-controller strips \n from each variable). */
export function cleanValue(v: string): string {
  return v.replace(/\n/g, '');
}

/**
 * A stand-in for a variable whose value is not readable offline (an encrypted Secret without a key),
 * shaped like what the name suggests so hostnames, ports and CIDRs still pass schema checks.
 */
export function typedPlaceholder(key: string): string {
  const k = key.toUpperCase();
  if (/CIDR|SUBNET/.test(k)) return '192.0.2.0/24';
  if (/(^|_)IP($|_)|ADDR/.test(k)) return '192.0.2.10';
  if (/PORT/.test(k)) return '8443';
  if (/DOMAIN|HOST|FQDN|SERVER_NAME/.test(k)) return 'example.com';
  if (/(^|_)(UID|GID|REPLICAS|COUNT|SIZE)($|_)/.test(k)) return '1000';
  if (/TZ|TIMEZONE/.test(k)) return 'UTC';
  if (/EMAIL/.test(k)) return 'placeholder@example.com';
  return `placeholder-${k.toLowerCase().replace(/_/g, '-')}`;
}
