// The probe library: what the lesson runner, the TUI and the CLI use.
//   probe(request, {signal, session, onSession, maxBodyBytes}) → ProbeResult (never throws on what the
//     network does; throws ProbeInputError on a bad URL/--resolve/--connect-to, or the caller's abort)
//   parseCurlArgs(argv) / parseProbeCommandLine(argv) → ProbeRequest (+ display flags); CurlArgsError names the flag
//   renderCurlVerbose(result), renderJson(result), renderWriteOut(format, result)
//   evaluateExpectation(result, expectation) → {ok, verdicts}; validateExpectation(data, where)
//   explain(result, expectation?) → Explanation from the failure-mode catalogue
export { probe, type ProbeOptions, type ProbeSession } from './probe.js';
export { parseCurlArgs, parseProbeCommandLine, CurlArgsError, type ProbeCommandLine, type ProbeDisplay } from './curl-args.js';
export { renderCurlVerbose, renderJson, responseHeaderLines, opensslDate, type RenderCurlOptions } from './render-curl.js';
export { evaluateExpectation, validateExpectation, ExpectationError, type ProbeExpectation, type TextMatch } from './expectation.js';
export { ProbeInputError } from './target.js';
export { renderWriteOut } from './write-out.js';
export { DEFAULT_MAX_TIME_MS, DEFAULT_MAX_BODY_BYTES } from './defaults.js';
export { explain, catalogue, failureModeIds } from '../explain/catalogue.js';
export type * from './types.js';
