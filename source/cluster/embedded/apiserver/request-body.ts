// Request bodies → objects: JSON, YAML, or the Kubernetes protobuf envelope
// (`kubectl create secret` sends only protobuf). Malformed input is a 400 that
// says what was wrong and where; an unsupported media type is a 415.
import { ApiError } from './api-error.js';
import { mediaType } from './http-util.js';
import type { KubeObject } from '../store/store-types.js';


export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw ApiError.badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** YAML bodies are rare (kubectl sends JSON), so the parser is loaded on first use: startup stays lean. */
export async function parseYamlBody(body: Buffer): Promise<unknown> {
  const { parse: parseYaml, YAMLParseError } = await import('yaml');
  try {
    return parseYaml(body.toString('utf8'), { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      throw ApiError.badRequest(`the request body is not valid YAML${where}: ${error.message.split('\n')[0]}`);
    }
    throw ApiError.badRequest(`the request body is not valid YAML: ${(error as Error).message}`);
  }
}

function asObject(value: unknown): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.badRequest('the request body must be a single Kubernetes object (a JSON/YAML mapping)');
  }
  const object = value as KubeObject;
  if (object.metadata === undefined) object.metadata = { name: '' };
  if (object.metadata === null || typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
    throw ApiError.badRequest('metadata must be an object');
  }
  return object;
}

/** An object body for create/update/apply. */
export async function decodeObject(contentType: string | undefined, body: Buffer): Promise<KubeObject> {
  if (body.length === 0) throw ApiError.badRequest('the request body is empty: expected a Kubernetes object');
  const type = mediaType(contentType);
  if (type === '' || type === 'application/json' || type === 'application/apply-patch+json') return asObject(parseJson(body));
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') return asObject(await parseYamlBody(body));
  if (type === 'application/vnd.kubernetes.protobuf') {
    // Loaded on first use so the cluster process starts lean.
    const { decodeProtobufObject } = await import('../protobuf/index.js');
    return asObject(decodeProtobufObject(body));
  }
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got "${type}")`);
}
