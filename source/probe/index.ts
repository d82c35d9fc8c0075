// The probe library: what the lesson runner, the TUI and the CLI use.
export { probe, type ProbeOptions, type ProbeSession } from './probe.js';
export { parseCurlArgs, parseProbeCommandLine, CurlArgsError, type ProbeCommandLine, type ProbeDisplay } from './curl-args.js';
export { renderCurlVerbose, renderJson, responseHeaderLines, opensslDate, type RenderCurlOptions } from './render-curl.js';
export { evaluateExpectation, validateExpectation, ExpectationError, type ProbeExpectation, type TextMatch } from './expectation.js';
export { ProbeInputError } from './target.js';
export { DEFAULT_MAX_TIME_MS, DEFAULT_MAX_BODY_BYTES } from './defaults.js';
export { explain, catalogue, failureModeIds } from '../explain/catalogue.js';
export type * from './types.js';
