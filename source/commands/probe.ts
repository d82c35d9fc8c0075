// `agw-workshop probe URL [curl flags]`: the probe library, rendered like
// curl -v (trace on stderr, body on stdout), or as JSON. Exit status is the
// curl-equivalent code, so scripts can compare with curl directly.
import { CurlArgsError, parseProbeCommandLine } from '../probe/curl-args.js';
import { probe } from '../probe/probe.js';
import { writeFile } from 'node:fs/promises';
import { renderCurlVerbose, renderJson, responseHeaderLines } from '../probe/render-curl.js';
import { renderWriteOut } from '../probe/write-out.js';
import { ProbeInputError } from '../probe/target.js';

const USAGE = `Usage: agw-workshop probe URL [options]

Probes a TLS/HTTP endpoint like curl -v and records the handshake at the record
level. Prints the trace on stderr and the body on stdout; exits with curl's code.

Options (as curl):
  --resolve HOST:PORT:ADDR     pin a name to an address (repeatable)
  --connect-to H1:P1:H2:P2     connect elsewhere, keeping the name (repeatable)
  --cacert FILE                trust only these CAs
  --cert FILE --key FILE       client certificate (mTLS)
  -k, --insecure               do not fail on an untrusted certificate
  --http1.1 | --http2          ALPN to offer (default h2,http/1.1)
  -H, --header "Name: value"   request header (repeatable)
  -d, --data DATA              request body (implies POST)
  -X, --request METHOD         request method
  --tlsv1.2 | --tlsv1.3        minimum TLS version; --tls-max 1.2|1.3
  -m, --max-time SECONDS       give up after this long (exit 28; default 30)
  -i, --include                response headers on stdout too
  -o, --output FILE            the body to FILE instead of stdout
  -w, --write-out FORMAT       e.g. "%{http_code}" after the transfer
  -s, --silent                 no trace on stderr

Options of our own (curl has none of these):
  --sni NAME | --no-sni        SNI to send, and the name the certificate is checked
                               against (default: the URL host unless it is an IP).
                               curl takes SNI, Host and the name check from the URL
                               host: to vary them, change the URL host and pin its
                               address with --resolve or --connect-to; -H 'Host: x'
                               changes only the Host header
  --json                       the structured result on stdout
  --explain                    say what happened and how to fix it`;

export async function run(argv: string[]): Promise<number> {
  let commandLine;
  try {
    commandLine = parseProbeCommandLine(argv);
  } catch (error) {
    if (error instanceof CurlArgsError) {
      process.stderr.write(`agw-workshop probe: ${error.message}\n(see agw-workshop probe --help)\n`);
      return 2;
    }
    throw error;
  }
  const { request, display } = commandLine;
  if (display.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await probe(request, { signal: interrupt.signal, maxBodyBytes: 1024 * 1024 });
  } catch (error) {
    if (error instanceof ProbeInputError) {
      process.stderr.write(`agw-workshop probe: ${error.message}\n`);
      return 3; // curl: URL malformed
    }
    if (interrupt.signal.aborted) return 130;
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }

  const explanation = display.explain ? (await import('../explain/catalogue.js')).explain(result) : undefined;
  if (display.json) {
    process.stdout.write(renderJson(explanation ? { ...result, explanation } as typeof result : result));
    return result.curlExitCode;
  }
  if (!display.silent) process.stderr.write(renderCurlVerbose(result, { body: false }));
  let out = '';
  if (display.include && result.http) out += `${responseHeaderLines(result).join('\r\n')}\r\n\r\n`;
  if (result.http) out += result.http.body;
  if (display.output) {
    if (display.output !== '/dev/null' && out) await writeFile(display.output, out);
  } else if (out) {
    process.stdout.write(out);
  }
  if (display.writeOut) process.stdout.write(renderWriteOut(display.writeOut, result));
  if (explanation) {
    const mark = result.curlExitCode === 0 && (result.http?.status ?? 0) < 400 ? '✓' : '✗';
    process.stderr.write(`\n${mark} ${explanation.title} [${explanation.id}]\n  ${explanation.cause}\n${explanation.fix ? `  fix: ${explanation.fix}\n` : ''}`);
  }
  return result.curlExitCode;
}
