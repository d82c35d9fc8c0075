// llm-d-inference-sim's command line, as the real image reads it
// (github.com/llm-d/llm-d-inference-sim README "Command line parameters"):
// --model (required), --port (8000), --served-model-name (list),
// --lora-modules (list of JSON strings), --max-loras, --mode echo|random,
// --time-to-first-token and --inter-token-latency in milliseconds, and
// --config FILE (YAML with the same names). Flags of the real simulator we
// accept but do not act on are listed so manifests that set them still run.
import fs from 'node:fs';
import YAML from 'yaml';
import { FlagError, intFlag, parseFlags, type ParsedFlags } from '../common/flags.js';
import { mountedPath } from '../common/listen.js';

export interface LoraModule { name: string; path?: string; base_model_name?: string }

export interface SimConfig {
  model: string;
  servedModelNames: string[];
  port: number;
  loras: LoraModule[];
  maxLoras: number;
  mode: 'echo' | 'random';
  timeToFirstTokenMs: number;
  interTokenLatencyMs: number;
  maxModelLen: number;
  seed?: number;
}

const VALUES = ['model', 'port', 'max-loras', 'max-cpu-loras', 'mode', 'time-to-first-token', 'inter-token-latency', 'config', 'seed',
  'max-model-len', 'max-num-seqs', 'time-to-first-token-std-dev', 'inter-token-latency-std-dev', 'kv-cache-transfer-latency',
  'kv-cache-transfer-latency-std-dev', 'prefill-overhead', 'prefill-time-per-token', 'prefill-time-std-dev', 'kv-cache-transfer-time-per-token',
  'kv-cache-transfer-time-std-dev', 'kv-cache-size', 'block-size', 'tokenizers-cache-dir', 'hash-seed', 'zmq-endpoint', 'zmq-max-connect-attempts',
  'event-batch-size', 'failure-injection-rate', 'fake-metrics', 'v', 'data-parallel-size', 'max-tool-call-integer-param', 'min-tool-call-integer-param',
  'max-tool-call-number-param', 'min-tool-call-number-param', 'max-tool-call-array-param-length', 'min-tool-call-array-param-length',
  'tool-call-not-required-param-probability', 'object-tool-call-not-required-field-probability', 'ssl-certfile', 'ssl-keyfile'];
const LISTS = ['served-model-name', 'lora-modules', 'failure-types'];
const BOOLEANS = ['enable-kvcache', 'logtostderr', 'self-signed-certs'];

/** One --lora-modules entry: a JSON object with a name, or vLLM's `name=path`. */
export function parseLoraModule(text: string): LoraModule {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new FlagError(`--lora-modules: ${trimmed} is not valid JSON (${(error as Error).message})`);
    }
    const name = (parsed as { name?: unknown }).name;
    if (typeof name !== 'string' || !name) throw new FlagError(`--lora-modules: ${trimmed} has no "name"`);
    return parsed as LoraModule;
  }
  const [name, path] = trimmed.split('=');
  if (!name) throw new FlagError(`--lora-modules: empty entry`);
  return { name, ...(path ? { path } : {}) };
}

function fromConfigFile(file: string): string[] {
  const data = YAML.parse(fs.readFileSync(mountedPath(file), 'utf8')) as Record<string, unknown> | null;
  const argv: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (Array.isArray(value)) argv.push(`--${key}`, ...value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    else if (typeof value === 'boolean') argv.push(`--${key}=${value}`);
    else if (value !== null && value !== undefined) argv.push(`--${key}`, String(value));
  }
  return argv;
}

export function parseSimConfig(argv: string[]): SimConfig {
  const spec = { values: VALUES, lists: LISTS, booleans: BOOLEANS };
  let flags: ParsedFlags = parseFlags(argv, spec);
  const configFile = flags.values.get('config');
  if (configFile) {
    // Command-line values override the file's.
    const fileFlags = parseFlags(fromConfigFile(configFile), spec);
    for (const [k, v] of flags.values) fileFlags.values.set(k, v);
    for (const [k, v] of flags.lists) fileFlags.lists.set(k, v);
    for (const b of flags.booleans) fileFlags.booleans.add(b);
    flags = fileFlags;
  }
  const model = flags.values.get('model');
  if (!model) throw new FlagError('model parameter is empty: --model is required');
  const mode = flags.values.get('mode') ?? 'random';
  if (mode !== 'echo' && mode !== 'random') throw new FlagError(`invalid mode "${mode}", valid values are "random" and "echo"`);
  const served = (flags.lists.get('served-model-name') ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  const loras = (flags.lists.get('lora-modules') ?? []).map(parseLoraModule);
  const maxLoras = intFlag(flags, 'max-loras', 1);
  if (maxLoras < 1) throw new FlagError('max-loras must be at least 1');
  const seed = flags.values.get('seed');
  return {
    model,
    servedModelNames: served.length ? served : [model],
    port: intFlag(flags, 'port', 8000),
    loras,
    maxLoras,
    mode,
    timeToFirstTokenMs: intFlag(flags, 'time-to-first-token', 0),
    interTokenLatencyMs: intFlag(flags, 'inter-token-latency', 0),
    maxModelLen: intFlag(flags, 'max-model-len', 1024),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
  };
}
