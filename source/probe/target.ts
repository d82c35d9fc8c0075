// Where a request goes: the URL's name and port (used for SNI, Host and the
// certificate name check) versus the address actually dialled, after curl's
// --connect-to and --resolve rewrites (curl applies connect-to, then resolve).
import net from 'node:net';

export interface ProbeTarget {
  url: URL;
  https: boolean;
  /** The URL's host, without IPv6 brackets. */
  host: string;
  port: number;
  /** Host and port to dial after --connect-to. */
  connectHost: string;
  connectPort: number;
  /** Addresses from --resolve for connectHost:connectPort, when given. */
  resolvedAddresses?: string[];
}

export class ProbeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeInputError';
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Splits `a:b:c` where parts may be bracketed IPv6 addresses. */
function splitColons(entry: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of entry) {
    if (char === '[') depth++;
    if (char === ']') depth--;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ProbeInputError(`URL "${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProbeInputError(`URL "${raw}": only http:// and https:// are supported`);
  return url;
}

/** The URL's host (without IPv6 brackets) and port (the scheme's default when none is given). */
export function urlHostPort(url: URL): { host: string; port: number } {
  return { host: stripBrackets(url.hostname), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}

export function resolveTarget(rawUrl: string, connectTo: string[] = [], resolve: string[] = []): ProbeTarget {
  const url = parseTargetUrl(rawUrl);
  const https = url.protocol === 'https:';
  const { host, port } = urlHostPort(url);
  let connectHost = host;
  let connectPort = port;

  for (const entry of connectTo) {
    const parts = splitColons(entry);
    if (parts.length !== 4) throw new ProbeInputError(`--connect-to "${entry}" must be HOST1:PORT1:HOST2:PORT2`);
    const [host1, port1, host2, port2] = parts as [string, string, string, string];
    if ((host1 === '' || stripBrackets(host1).toLowerCase() === host.toLowerCase()) && (port1 === '' || Number(port1) === port)) {
      if (host2 !== '') connectHost = stripBrackets(host2);
      if (port2 !== '') {
        if (!/^\d+$/.test(port2) || Number(port2) > 65535) throw new ProbeInputError(`--connect-to "${entry}": port "${port2}" is not a port number`);
        connectPort = Number(port2);
      }
      break; // curl uses the first matching entry
    }
  }

  let resolvedAddresses: string[] | undefined;
  for (const entry of resolve) {
    const parts = splitColons(entry.replace(/^\+/, ''));
    if (parts.length < 3) throw new ProbeInputError(`--resolve "${entry}" must be HOST:PORT:ADDRESS[,ADDRESS]`);
    const [entryHost, entryPort] = parts as [string, string];
    const addresses = parts.slice(2).join(':').split(',').map((a) => stripBrackets(a.trim())).filter(Boolean);
    for (const address of addresses) {
      if (!net.isIP(address)) throw new ProbeInputError(`--resolve "${entry}": "${address}" is not an IP address`);
    }
    if (!/^\d+$/.test(entryPort)) throw new ProbeInputError(`--resolve "${entry}": "${entryPort}" is not a port number`);
    const hostMatches = entryHost === '*' || stripBrackets(entryHost).toLowerCase() === connectHost.toLowerCase();
    if (hostMatches && Number(entryPort) === connectPort && !resolvedAddresses) resolvedAddresses = addresses;
  }
  return { url, https, host, port, connectHost, connectPort, resolvedAddresses };
}
