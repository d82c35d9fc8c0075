// ${NAME} placeholders in manifests, probe URLs and commands. An unknown name
// is an error, never an empty string: a manifest with a hole would still apply.
export type Variables = Record<string, string>;

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

export function variablesUsed(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export function fillVariables(text: string, vars: Variables, where: string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${where}: unknown variable \${${name}} (known: ${Object.keys(vars).sort().join(', ')})`);
    return value;
  });
}
