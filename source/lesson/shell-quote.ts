// Quoting for the equivalent commands we print: what a learner pastes into
// bash or zsh must mean exactly what the runner did.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Double quotes keep `$(...)` working, e.g. "$(agw-workshop cluster kubeconfig)". */
export function doubleQuote(value: string): string {
  return `"${value.replace(/(["\\`])/g, '\\$1')}"`;
}
