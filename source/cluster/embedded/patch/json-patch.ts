// JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): add, remove, replace,
// move, copy, test. Operations apply in order to a copy; the first that
// fails aborts the whole patch (the original is untouched).
import { ApiError } from '../apiserver/api-error.js';
import { clone, isObject, jsonEqual, unprocessable, type Json } from './json-value.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Kubernetes caps JSON patches at 10,000 operations. */
const MAX_OPERATIONS = 10_000;
/**
 * kube-apiserver's maxRequestBodyBytes (3 MiB): the bound on what copies may
 * add (json-patch's AccumulatedCopySizeLimit) and on the patched object. 22
 * doubling `copy` operations otherwise grew 1.6 KB into gigabytes.
 */
export const MAX_PATCHED_BYTES = 3 * 1024 * 1024;

function tooLarge(message: string): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', message);
}

function parsePointer(pointer: unknown, field: string, index: number): string[] {
  if (typeof pointer !== 'string') throw ApiError.badRequest(`json patch operation ${index}: "${field}" must be a string`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable(`json patch operation ${index}: invalid pointer ${JSON.stringify(pointer)}: must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw unprocessable(`json patch operation ${index}: invalid pointer escape in ${JSON.stringify(pointer)}`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unprocessable(`invalid array index ${JSON.stringify(token)} in ${pointer}`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw unprocessable(`array index ${index} out of bounds in ${pointer}`);
  return index;
}

/** The container holding the last token of `tokens`. */
function parentOf(document: Json, tokens: string[], pointer: string): Json {
  let current: Json = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false, pointer)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else throw unprocessable(`doc is missing path: "${pointer}"`);
  }
  return current;
}

function get(document: Json, tokens: string[], pointer: string): Json {
  if (tokens.length === 0) return document;
  const parent = parentOf(document, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, pointer)];
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw unprocessable(`doc is missing path: "${pointer}"`);
}

function add(document: Json, tokens: string[], value: Json, pointer: string): Json {
  if (tokens.length === 0) return value;
  const parent = parentOf(document, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw unprocessable(`doc is missing path: "${pointer}"`);
  return document;
}

function remove(document: Json, tokens: string[], pointer: string): Json {
  if (tokens.length === 0) throw unprocessable('cannot remove the whole document');
  const parent = parentOf(document, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
  return document;
}

export function applyJsonPatch(target: unknown, operations: unknown): Json {
  if (!Array.isArray(operations)) throw ApiError.badRequest('json patch must be an array of operations');
  if (operations.length > MAX_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${operations.length}`);
  }
  let document = clone(target as Json);
  let copied = 0;
  operations.forEach((raw, index) => {
    if (!isObject(raw)) throw ApiError.badRequest(`json patch operation ${index} must be an object`);
    const operation = raw as unknown as Operation;
    const tokens = parsePointer(operation.path, 'path', index);
    const needsValue = ['add', 'replace', 'test'].includes(operation.op);
    if (needsValue && !Object.hasOwn(raw, 'value')) throw ApiError.badRequest(`json patch operation ${index} (${operation.op}) is missing "value"`);
    const value = clone(operation.value as Json);
    switch (operation.op) {
      case 'add':
        document = add(document, tokens, value, operation.path);
        break;
      case 'remove':
        document = remove(document, tokens, operation.path);
        break;
      case 'replace':
        get(document, tokens, operation.path);
        if (tokens.length === 0) document = value;
        else document = add(remove(document, tokens, operation.path), tokens, value, operation.path);
        break;
      case 'move': {
        const from = parsePointer(operation.from, 'from', index);
        if (tokens.length > from.length && from.every((t, i) => t === tokens[i])) {
          throw unprocessable(`json patch operation ${index}: cannot move ${operation.from} into its own child ${operation.path}`);
        }
        const moved = clone(get(document, from, String(operation.from)));
        document = add(remove(document, from, String(operation.from)), tokens, moved, operation.path);
        break;
      }
      case 'copy': {
        const from = parsePointer(operation.from, 'from', index);
        const source = get(document, from, String(operation.from));
        // Measured before it is cloned: the work done stays within the limit.
        copied += JSON.stringify(source)?.length ?? 0;
        if (copied > MAX_PATCHED_BYTES) {
          throw tooLarge(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${MAX_PATCHED_BYTES}`);
        }
        document = add(document, tokens, clone(source), operation.path);
        break;
      }
      case 'test':
        if (!jsonEqual(get(document, tokens, operation.path), value)) {
          throw unprocessable(`testing value ${operation.path} failed: test failed`);
        }
        break;
      default:
        throw ApiError.badRequest(`json patch operation ${index}: unexpected kind of operation ${JSON.stringify(operation.op)}`);
    }
  });
  const size = JSON.stringify(document)?.length ?? 0;
  if (size > MAX_PATCHED_BYTES) throw tooLarge(`Request entity too large: limit is ${MAX_PATCHED_BYTES}`);
  return document;
}
