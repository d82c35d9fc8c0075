// Distinguished names as learners type them for openssl (`/O=Solo.io/CN=glootest.com`)
// or as ordered attribute lists. Order is kept: it is what curl and openssl print.
export interface NameAttribute {
  /** Short name: CN, O, OU, C, ST, L, emailAddress. */
  shortName: string;
  value: string;
}

const KNOWN = new Set(['CN', 'O', 'OU', 'C', 'ST', 'L', 'emailAddress', 'serialNumber', 'DC']);

/** Parses openssl's `-subj` syntax: `/O=Solo.io/CN=glootest.com`. */
export function parseSubject(subject: string): NameAttribute[] {
  const text = subject.trim();
  if (!text.startsWith('/')) throw new Error(`subject "${subject}" must look like /CN=name/O=org (openssl -subj syntax)`);
  const attributes: NameAttribute[] = [];
  for (const part of text.slice(1).split(/(?<!\\)\//)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`subject "${subject}": "${part}" is not KEY=value`);
    const shortName = part.slice(0, eq).trim();
    if (!KNOWN.has(shortName)) throw new Error(`subject "${subject}": unknown attribute "${shortName}" (known: ${[...KNOWN].join(', ')})`);
    attributes.push({ shortName, value: part.slice(eq + 1).replace(/\\\//g, '/') });
  }
  if (attributes.length === 0) throw new Error(`subject "${subject}" has no attributes`);
  return attributes;
}

/** Formats like openssl's -subj input. */
export function formatSubject(attributes: NameAttribute[]): string {
  return attributes.map((a) => `/${a.shortName}=${a.value.replace(/\//g, '\\/')}`).join('');
}
