// curl's command line, the subset labs use, into a ProbeRequest. Accepts a
// pasted `curl ...` line (leading "curl" skipped) including display flags
// (-i, -v, -s) so lab texts work verbatim; errors name the flag.
import { readFileSync } from 'node:fs';
import type { ProbeRequest } from './types.js';
import { sniFromText } from './request-edits.js';

export class CurlArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CurlArgsError';
  }
}

export interface ProbeDisplay {
  /** -i: response headers in the output. */
  include: boolean;
  verbose: boolean;
  silent: boolean;
  json: boolean;
  explain: boolean;
  help: boolean;
  /** -o FILE: where the body goes instead of stdout ('/dev/null' discards it). */
  output?: string;
  /** -w FORMAT: written to stdout after the transfer (%{http_code}, %{exitcode}, ...). */
  writeOut?: string;
}

export interface ProbeCommandLine {
  request: ProbeRequest;
  display: ProbeDisplay;
}

type Apply = (state: ProbeCommandLine, value: string, flag: string) => void;
interface FlagSpec {
  takesValue: boolean;
  apply: Apply;
}

function tlsVersion(flag: string, value: string): 'TLSv1.2' | 'TLSv1.3' | undefined {
  if (value === '1.2') return 'TLSv1.2';
  if (value === '1.3') return 'TLSv1.3';
  if (value === 'default') return undefined;
  throw new CurlArgsError(`${flag} "${value}": expected 1.2, 1.3 or default`);
}

const FLAGS: Record<string, FlagSpec> = {};
function define(names: string[], takesValue: boolean, apply: Apply): void {
  for (const name of names) FLAGS[name] = { takesValue, apply };
}

define(['--resolve'], true, (s, v) => (s.request.resolve ??= []).push(v));
define(['--connect-to'], true, (s, v) => (s.request.connectTo ??= []).push(v));
define(['--sni'], true, (s, v) => (s.request.sni = sniFromText(v)));
define(['--no-sni'], false, (s) => (s.request.sni = null));
define(['--cacert'], true, (s, v) => (s.request.caFile = v));
define(['-E', '--cert'], true, (s, v) => (s.request.certFile = v));
define(['--key'], true, (s, v) => (s.request.keyFile = v));
define(['-k', '--insecure'], false, (s) => (s.request.insecure = true));
define(['--http1.1'], false, (s) => {
  s.request.httpVersion = '1.1';
  s.request.alpn = ['http/1.1'];
});
define(['--http2'], false, (s) => {
  s.request.httpVersion = '2';
  s.request.alpn = ['h2', 'http/1.1'];
});
define(['--no-alpn'], false, (s) => (s.request.alpn = []));
define(['-H', '--header'], true, (s, v, flag) => {
  const colon = v.indexOf(':');
  if (colon <= 0) throw new CurlArgsError(`${flag} "${v}": expected "Name: value"`);
  (s.request.headers ??= []).push([v.slice(0, colon).trim(), v.slice(colon + 1).trim()]);
});
define(['-A', '--user-agent'], true, (s, v) => (s.request.headers ??= []).push(['User-Agent', v]));
/** curl's -d: `@file` reads the body from a file (-d strips newlines, --data-binary keeps them; --data-raw never reads). */
function dataFlag(mode: 'strip' | 'binary' | 'raw'): Apply {
  return (s, v, flag) => {
    let data = v;
    if (mode !== 'raw' && v.startsWith('@')) {
      const file = v.slice(1);
      try {
        data = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (error) {
        throw new CurlArgsError(`${flag} "${v}": cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      if (mode === 'strip') data = data.replace(/[\r\n]/g, '');
    }
    s.request.body = s.request.body === undefined ? data : `${s.request.body}&${data}`;
  };
}
define(['-d', '--data', '--data-ascii'], true, dataFlag('strip'));
define(['--data-binary'], true, dataFlag('binary'));
define(['--data-raw'], true, dataFlag('raw'));
define(['-X', '--request'], true, (s, v) => (s.request.method = v.toUpperCase()));
define(['-1', '--tlsv1'], false, () => undefined);
define(['--tlsv1.2'], false, (s) => (s.request.tlsMinVersion = 'TLSv1.2'));
define(['--tlsv1.3'], false, (s) => (s.request.tlsMinVersion = 'TLSv1.3'));
define(['--tls-max'], true, (s, v, flag) => {
  const version = tlsVersion(flag, v);
  if (version) s.request.tlsMaxVersion = version;
  else delete s.request.tlsMaxVersion;
});
define(['-m', '--max-time'], true, (s, v, flag) => {
  const seconds = Number(v);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CurlArgsError(`${flag} "${v}": expected a positive number of seconds`);
  s.request.maxTimeMs = Math.round(seconds * 1000);
});
define(['--url'], true, (s, v) => setUrl(s, v));
define(['-i', '--include'], false, (s) => (s.display.include = true));
define(['-v', '--verbose'], false, (s) => (s.display.verbose = true));
define(['-s', '--silent'], false, (s) => (s.display.silent = true));
define(['-S', '--show-error'], false, () => undefined);
define(['--json'], false, (s) => (s.display.json = true));
define(['-o', '--output'], true, (s, v) => (s.display.output = v));
define(['-w', '--write-out'], true, (s, v) => (s.display.writeOut = v));
define(['--explain'], false, (s) => (s.display.explain = true));
define(['-h', '--help'], false, (s) => (s.display.help = true));

function setUrl(state: ProbeCommandLine, url: string): void {
  if (state.request.url) throw new CurlArgsError(`more than one URL: "${state.request.url}" and "${url}"`);
  state.request.url = url;
}

/** Parses a probe/curl command line into the request and how to show it. */
export function parseProbeCommandLine(argv: readonly string[]): ProbeCommandLine {
  const state: ProbeCommandLine = {
    request: { url: '' },
    display: { include: false, verbose: false, silent: false, json: false, explain: false, help: false },
  };
  const args = argv[0] === 'curl' ? argv.slice(1) : [...argv];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) setUrl(state, rest);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const spec = FLAGS[name];
      if (!spec) throw new CurlArgsError(`unknown option "${name}"`);
      if (!spec.takesValue) {
        if (eq > 0) throw new CurlArgsError(`option "${name}" takes no value`);
        spec.apply(state, '', name);
        continue;
      }
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new CurlArgsError(`option "${name}" needs a value`);
      spec.apply(state, value, name);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Short flags combine (-ikv); one taking a value ends the group (-dDATA or -d DATA).
      for (let j = 1; j < arg.length; j++) {
        const name = `-${arg[j]}`;
        const spec = FLAGS[name];
        if (!spec) throw new CurlArgsError(`unknown option "${name}"${arg.length > 2 ? ` (in "${arg}")` : ''}`);
        if (!spec.takesValue) {
          spec.apply(state, '', name);
          continue;
        }
        const attached = arg.slice(j + 1);
        const value = attached !== '' ? attached : args[++i];
        if (value === undefined) throw new CurlArgsError(`option "${name}" needs a value`);
        spec.apply(state, value, name);
        break;
      }
      continue;
    }
    setUrl(state, arg);
  }
  if (!state.request.url && !state.display.help) throw new CurlArgsError('no URL given');
  return state;
}

/** curl flags → ProbeRequest (display flags such as -i, -v, -s are accepted and ignored). */
export function parseCurlArgs(argv: string[]): ProbeRequest {
  return parseProbeCommandLine(argv).request;
}
