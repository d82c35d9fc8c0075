// The CEL rules of the agentgateway AgentgatewayBackend CRD
// (kubebuilder ExactlyOneOf and XValidation markers) that a learner hits
// when a backend names no provider, two providers, or a host without a port.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath } from './causes.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, key: string) => Object.hasOwn(o, key) && o[key] !== undefined && o[key] !== null;

function rule(path: FieldPath, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', field: String(path), message: `Invalid value: "object": ${message}` };
}

function exactlyOne(o: Obj, fields: string[], path: FieldPath): StatusCause[] {
  const set = fields.filter((f) => has(o, f)).length;
  return set === 1 ? [] : [rule(path, `exactly one of the fields in [${fields.join(' ')}] must be set`)];
}

const PROVIDERS = ['openai', 'azureopenai', 'azure', 'anthropic', 'gemini', 'vertexai', 'bedrock', 'custom'];

function checkProvider(provider: unknown, path: FieldPath): StatusCause[] {
  if (!isObj(provider)) return [];
  const causes = exactlyOne(provider, PROVIDERS, path);
  if ((has(provider, 'host') || has(provider, 'port')) && !(has(provider, 'host') && has(provider, 'port'))) {
    causes.push(rule(path, 'both host and port must be set together'));
  }
  if (has(provider, 'path') && has(provider, 'pathPrefix')) causes.push(rule(path, 'path and pathPrefix are mutually exclusive'));
  return causes;
}

export function checkAgentgatewayBackend(backend: KubeObject): StatusCause[] {
  if (!isObj(backend.spec)) return [];
  const spec = backend.spec;
  const specPath = FieldPath.root('spec');
  const causes = exactlyOne(spec, ['ai', 'static', 'dynamicForwardProxy', 'mcp', 'aws', 'a2a'], specPath);
  if (isObj(spec.policies) && has(spec.policies, 'ai') && !has(spec, 'ai')) causes.push(rule(specPath, 'AI policies require AI backend'));
  if (isObj(spec.policies) && has(spec.policies, 'mcp') && !has(spec, 'mcp')) causes.push(rule(specPath, 'MCP policies require MCP backend'));
  if (isObj(spec.ai)) {
    const aiPath = specPath.child('ai');
    causes.push(...exactlyOne(spec.ai, ['provider', 'groups'], aiPath));
    causes.push(...checkProvider(spec.ai.provider, aiPath.child('provider')));
    (Array.isArray(spec.ai.groups) ? spec.ai.groups : []).forEach((group, i) => {
      if (!isObj(group) || !Array.isArray(group.providers)) return;
      group.providers.forEach((p, j) => causes.push(...checkProvider(p, aiPath.child('groups').index(i).child('providers').index(j))));
    });
  }
  if (isObj(spec.static)) {
    const s = spec.static;
    if (!has(s, 'unixPath') && !(has(s, 'host') && has(s, 'port'))) causes.push(rule(specPath.child('static'), 'must specify either unixPath or both host and port'));
    if (has(s, 'unixPath') && (has(s, 'host') || has(s, 'port'))) causes.push(rule(specPath.child('static'), 'unixPath and host/port are mutually exclusive'));
  }
  return causes;
}
