// Step-by-step progress on stderr; colours only when stderr is a TTY and NO_COLOR is unset.
const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);

export const style = {
  ok: (s: string) => paint('32', s),
  warn: (s: string) => paint('33', s),
  err: (s: string) => paint('31', s),
  dim: (s: string) => paint('2', s),
  bold: (s: string) => paint('1', s),
};

export function step(message: string): void {
  process.stderr.write(`${style.dim('•')} ${message}\n`);
}

export function done(message: string): void {
  process.stderr.write(`${style.ok('✓')} ${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${style.warn('!')} ${message}\n`);
}
