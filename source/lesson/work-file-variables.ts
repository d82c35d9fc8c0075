// Variables read from files a step wrote to the work dir, when a text uses
// them: `${TOKEN_<NAME>}` is the token in `<name>.jwt` (tokens step), and
// `${PUBLIC_KEY_PEM_<SIGNER>}` the PEM in `<signer>.pub.pem` as one
// double-quoted YAML/JSON string (so a manifest can hold it on one line).
import fsp from 'node:fs/promises';
import path from 'node:path';

const FAMILIES: { prefix: string; file: (stem: string) => string; value: (text: string) => string }[] = [
  { prefix: 'TOKEN_', file: (stem) => `${stem}.jwt`, value: (text) => text.trim() },
  { prefix: 'PUBLIC_KEY_PEM_', file: (stem) => `${stem}.pub.pem`, value: (text) => JSON.stringify(text) },
];

export function isWorkFileVariable(name: string): boolean {
  return FAMILIES.some((f) => name.startsWith(f.prefix));
}

/** The value of a work-file variable, or undefined when the name is not one; a missing file is an error naming the step to run. */
export async function workFileVariable(name: string, workDir: string): Promise<string | undefined> {
  const family = FAMILIES.find((f) => name.startsWith(f.prefix));
  if (!family) return undefined;
  const file = path.join(workDir, family.file(name.slice(family.prefix.length).toLowerCase().replace(/_/g, '-')));
  try {
    return family.value(await fsp.readFile(file, 'utf8'));
  } catch {
    throw new Error(`\${${name}} reads ${file}, which does not exist yet (run the lesson's tokens step first)`);
  }
}
