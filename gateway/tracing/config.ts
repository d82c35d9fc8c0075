// Tracing is configured as agentgateway users configure it: a ConfigMap whose
// `config.yaml` holds agentgateway's raw configuration, of which this gateway
// reads `config.tracing` (otlpEndpoint, otlpProtocol, randomSampling, headers,
// fields.add / fields.remove). The proxy looks for the ConfigMap
// `agent-gateway-config` in its Gateway's namespace, then in the install
// namespace. fields.add values are CEL in agentgateway; this gateway knows the
// expressions its documentation uses (string literals and the `llm.*`
// variables) and reports any other instead of guessing.
import { parse } from 'yaml';
import type { InputObject, TranslateInput } from '../translate/input-types.js';

export const TRACING_CONFIG_MAP = 'agent-gateway-config';
export const INSTALL_NAMESPACE = 'agentgateway-system';
/**
 * At most this many requests a second are traced, whatever the sampling ratio
 * or the client's `traceparent` says: this gateway's own bound, not an
 * agentgateway setting. A span costs the proxy 13-15 µs of CPU
 * (SDK and protobuf encoding) against 60-75 µs for a whole keep-alive
 * request, so tracing every request of a flood costs a third of the proxy's
 * throughput; a learner's requests are far below the cap and all traced.
 * Jaeger's rate-limiting sampler and X-Ray's reservoir do the same.
 */
export const MAX_TRACES_PER_SECOND = 100;

/** What a fields.add value stands for. */
export type FieldSource =
  | { kind: 'literal'; value: string }
  | { kind: 'llm'; variable: LlmVariable }
  | { kind: 'request'; variable: 'method' | 'path' | 'host' }
  | { kind: 'response'; variable: 'code' };

export type LlmVariable = 'prompt' | 'completion' | 'requestModel' | 'responseModel' | 'inputTokens' | 'outputTokens' | 'totalTokens' | 'provider' | 'streaming';

export interface TracingConfig {
  /** The endpoint as written (before cluster Service names are resolved). */
  endpoint: string;
  protocol: 'http' | 'grpc';
  /** Fraction of new traces sampled (a sampled parent is always followed). */
  samplingRatio: number;
  headers: Record<string, string>;
  add: Record<string, FieldSource>;
  remove: string[];
  /** `namespace/name` of the ConfigMap it came from. */
  source: string;
}

export interface TracingConfigResult {
  config?: TracingConfig;
  /** Problems worth a line in the proxy's log (unknown expressions, bad values). */
  warnings: string[];
  source?: string;
}

const LLM_VARIABLES: Record<string, LlmVariable> = {
  'llm.prompt': 'prompt',
  'llm.completion': 'completion',
  'llm.request_model': 'requestModel',
  'llm.requestModel': 'requestModel',
  'llm.response_model': 'responseModel',
  'llm.responseModel': 'responseModel',
  'llm.input_tokens': 'inputTokens',
  'llm.inputTokens': 'inputTokens',
  'llm.output_tokens': 'outputTokens',
  'llm.outputTokens': 'outputTokens',
  'llm.total_tokens': 'totalTokens',
  'llm.totalTokens': 'totalTokens',
  'llm.provider': 'provider',
  'llm.streaming': 'streaming',
};

/** One fields.add expression, or undefined when it is CEL this gateway does not evaluate. */
export function fieldSource(expression: string): FieldSource | undefined {
  const text = expression.trim();
  const literal = /^"([^"\\]*)"$/.exec(text) ?? /^'([^'\\]*)'$/.exec(text);
  if (literal) return { kind: 'literal', value: literal[1]! };
  // The documented shapes that wrap content: flatten_recursive(llm.prompt), llm.completion.map(c, {...}).
  const unwrapped = /^flatten(?:_recursive)?\((.+)\)$/.exec(text)?.[1] ?? text;
  const base = /^(llm\.(?:prompt|completion))(?:\.map\(.*\))?$/s.exec(unwrapped)?.[1] ?? unwrapped;
  const llm = LLM_VARIABLES[base];
  if (llm) return { kind: 'llm', variable: llm };
  if (base === 'request.method' || base === 'request.path' || base === 'request.host') return { kind: 'request', variable: base.slice(8) as 'method' | 'path' | 'host' };
  if (base === 'response.code') return { kind: 'response', variable: 'code' };
  return undefined;
}

function samplingRatio(value: unknown, warnings: string[]): number {
  if (value === undefined || value === null || value === true || value === 'true') return 1;
  if (value === false || value === 'false') return 0;
  const ratio = typeof value === 'number' ? value : Number(value);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  warnings.push(`tracing.randomSampling ${JSON.stringify(value)} is neither a boolean nor a ratio between 0 and 1; sampling everything`);
  return 1;
}

/** Parses a `config.yaml` text; `source` names where it came from for messages. */
export function parseTracingConfig(text: string, source: string): TracingConfigResult {
  const warnings: string[] = [];
  let document: any;
  try {
    document = parse(text);
  } catch (error) {
    return { warnings: [`${source}: config.yaml is not YAML: ${(error as Error).message}`], source };
  }
  const tracing = document?.config?.tracing;
  if (!tracing || typeof tracing !== 'object') return { warnings, source };
  const endpoint = typeof tracing.otlpEndpoint === 'string' ? tracing.otlpEndpoint.trim() : '';
  if (!endpoint) return { warnings: [`${source}: config.tracing has no otlpEndpoint; tracing is off`], source };
  try {
    new URL(endpoint);
  } catch {
    return { warnings: [`${source}: config.tracing.otlpEndpoint ${JSON.stringify(endpoint)} is not a URL; tracing is off`], source };
  }
  const protocol = tracing.otlpProtocol === 'http' ? 'http' : 'grpc';
  if (tracing.otlpProtocol !== undefined && tracing.otlpProtocol !== 'http' && tracing.otlpProtocol !== 'grpc') {
    warnings.push(`${source}: config.tracing.otlpProtocol ${JSON.stringify(tracing.otlpProtocol)} is neither http nor grpc; using grpc, agentgateway's default`);
  }
  const headers: Record<string, string> = {};
  if (tracing.headers && typeof tracing.headers === 'object') {
    for (const [name, value] of Object.entries(tracing.headers)) if (typeof value === 'string') headers[name] = value;
  }
  const add: Record<string, FieldSource> = {};
  const addSpec = tracing.fields?.add;
  if (addSpec && typeof addSpec === 'object') {
    for (const [name, expression] of Object.entries(addSpec)) {
      const parsed = typeof expression === 'string' ? fieldSource(expression) : undefined;
      if (parsed) add[name] = parsed;
      else warnings.push(`${source}: fields.add.${name}: ${JSON.stringify(expression)} is a CEL expression this gateway does not evaluate; the attribute is left out`);
    }
  }
  const remove = Array.isArray(tracing.fields?.remove) ? tracing.fields.remove.filter((n: unknown): n is string => typeof n === 'string') : [];
  return { config: { endpoint, protocol, samplingRatio: samplingRatio(tracing.randomSampling, warnings), headers, add, remove, source }, warnings, source };
}

function configMap(input: TranslateInput, namespace: string): InputObject | undefined {
  return input.configMaps.find((c) => c.metadata?.namespace === namespace && c.metadata?.name === TRACING_CONFIG_MAP);
}

/** The tracing configuration for a Gateway in `namespace`: its own ConfigMap, else the install's. */
export function tracingConfigFor(input: TranslateInput, namespace: string): TracingConfigResult {
  const found = configMap(input, namespace) ?? configMap(input, INSTALL_NAMESPACE);
  if (!found) return { warnings: [] };
  const source = `${found.metadata?.namespace}/${found.metadata?.name}`;
  const text = (found as { data?: Record<string, string> }).data?.['config.yaml'];
  if (typeof text !== 'string') return { warnings: [`${source} has no config.yaml key`], source };
  return parseTracingConfig(text, source);
}

const SERVICE_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?$/;

/**
 * The URL the OTLP/HTTP exporter posts to. A cluster Service name is resolved
 * to its ClusterIP from the snapshot (the embedded cluster has no DNS, and on a
 * real cluster the ClusterIP is what DNS would answer); a URL without a path
 * gets OTLP's `/v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT does.
 */
export function exporterUrl(endpoint: string, services: InputObject[]): string {
  const url = new URL(endpoint);
  const m = SERVICE_HOST.exec(url.hostname);
  if (m && (m[5] || services.some((s) => s.metadata?.name === m[1] && s.metadata?.namespace === m[3]))) {
    const service = services.find((s) => s.metadata?.name === m[1] && s.metadata?.namespace === m[3]);
    const ip = service?.spec?.clusterIP;
    if (typeof ip === 'string' && ip && ip !== 'None') url.hostname = ip;
  }
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}
