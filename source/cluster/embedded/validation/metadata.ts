// ObjectMeta validation as kube-apiserver's ValidateObjectMeta does it: name
// (RFC 1123 subdomain, label or RFC 1035 label depending on the kind),
// namespace, label keys and values, annotation size.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath, invalid, required, str, tooLong } from './causes.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'dns1035';

const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Causes for a name under a rule; empty when valid. */
export function checkName(path: FieldPath, name: string, rule: NameRule): StatusCause[] {
  const causes: StatusCause[] = [];
  const max = rule === 'subdomain' ? 253 : 63;
  if (name.length > max) causes.push(invalid(path, name, `must be no more than ${max} characters`));
  const [re, message] =
    rule === 'subdomain' ? [DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE] : rule === 'label' ? [DNS1123_LABEL, LABEL_MESSAGE] : [DNS1035_LABEL, DNS1035_MESSAGE];
  if (!re.test(name)) causes.push(invalid(path, name, message));
  return causes;
}

function checkQualifiedName(path: FieldPath, key: string): StatusCause[] {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? '' : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const causes: StatusCause[] = [];
  if (slash !== -1 && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    causes.push(invalid(path, key, `prefix part ${SUBDOMAIN_MESSAGE}`));
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    causes.push(
      invalid(
        path,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    );
  }
  return causes;
}

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export interface MetadataRules {
  namespaced: boolean;
  name: NameRule;
}

export function checkMetadata(object: KubeObject, rules: MetadataRules): StatusCause[] {
  const root = FieldPath.root('metadata');
  const metadata = object.metadata as unknown;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return [required(root)];
  const causes: StatusCause[] = [];
  const { name, namespace, labels, annotations } = object.metadata;
  if (typeof name !== 'string' || name === '') {
    causes.push(required(root.child('name'), 'name or generateName is required'));
  } else {
    causes.push(...checkName(root.child('name'), name, rules.name));
  }
  if (rules.namespaced && namespace !== undefined && namespace !== '') {
    causes.push(...checkName(root.child('namespace'), str(namespace), 'label'));
  }
  if (labels !== undefined) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      causes.push(invalid(root.child('labels'), labels, 'must be a map of string to string'));
    } else {
      for (const [key, value] of Object.entries(labels)) {
        const path = root.child('labels');
        causes.push(...checkQualifiedName(path, key));
        if (typeof value !== 'string') causes.push(invalid(path.key(key), value, 'must be a string'));
        else if (value.length > 63 || !LABEL_VALUE.test(value)) {
          causes.push(
            invalid(
              path,
              value,
              "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
          );
        }
      }
    }
  }
  if (annotations !== undefined) {
    if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
      causes.push(invalid(root.child('annotations'), annotations, 'must be a map of string to string'));
    } else {
      let size = 0;
      for (const [key, value] of Object.entries(annotations)) {
        causes.push(...checkQualifiedName(root.child('annotations'), key.toLowerCase()));
        if (typeof value !== 'string') causes.push(invalid(root.child('annotations').key(key), value, 'must be a string'));
        size += key.length + str(value).length;
      }
      if (size > MAX_ANNOTATIONS_BYTES) causes.push(tooLong(root.child('annotations'), MAX_ANNOTATIONS_BYTES));
    }
  }
  return causes;
}
