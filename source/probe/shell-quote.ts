// Quoting for the equivalent commands we print: what a learner pastes into
// bash or zsh must mean exactly what the runner did.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A lesson variable the command leaves to the shell, e.g. ${GATEWAY_IP} (set by an `export` line shown with it). */
const SHELL_VARIABLE = /\$\{[A-Z_][A-Z0-9_]*\}/;

export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  // Single quotes would keep ${GATEWAY_IP} from expanding: double-quote, escaping everything else the shell would read.
  if (SHELL_VARIABLE.test(value)) return `"${value.replace(/["\\`]|\$(?!\{[A-Z_][A-Z0-9_]*\})/g, '\\$&')}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Double quotes keep `$(...)` working, e.g. "$(agw-workshop cluster kubeconfig)". */
export function doubleQuote(value: string): string {
  return `"${value.replace(/(["\\`])/g, '\\$1')}"`;
}
