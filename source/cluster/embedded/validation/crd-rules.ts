// What kube-apiserver checks on a CustomResourceDefinition before it serves
// the kind (apiextensions validation): names, group, scope, versions.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath, invalid, notSupported, required, str } from './causes.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function checkCustomResourceDefinition(crd: KubeObject): StatusCause[] {
  const spec = isObj(crd.spec) ? crd.spec : undefined;
  const specPath = FieldPath.root('spec');
  if (!spec) return [required(specPath)];
  const causes: StatusCause[] = [];
  const group = typeof spec.group === 'string' ? spec.group : '';
  if (!group) causes.push(required(specPath.child('group')));
  else if (!group.includes('.')) causes.push(invalid(specPath.child('group'), group, 'should be a domain with at least one dot'));
  const names = isObj(spec.names) ? spec.names : undefined;
  const namesPath = specPath.child('names');
  if (!names) causes.push(required(namesPath));
  else {
    for (const field of ['plural', 'kind'] as const) {
      if (typeof names[field] !== 'string' || names[field] === '') causes.push(required(namesPath.child(field)));
    }
    for (const field of ['plural', 'singular'] as const) {
      const value = names[field];
      if (typeof value === 'string' && value !== '' && !DNS1035.test(value)) {
        causes.push(invalid(namesPath.child(field), value, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"));
      }
    }
    if (typeof names.plural === 'string' && group && crd.metadata.name !== `${names.plural}.${group}`) {
      causes.push(invalid(FieldPath.root('metadata').child('name'), crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
    }
  }
  if (!['Namespaced', 'Cluster'].includes(str(spec.scope))) causes.push(notSupported(specPath.child('scope'), spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) causes.push(required(specPath.child('versions'), 'must have exactly one version marked as storage version'));
  else {
    const storage = versions.filter((v) => isObj(v) && v.storage === true).length;
    if (storage !== 1) causes.push(invalid(specPath.child('versions'), versions.length, 'must have exactly one version marked as storage version'));
    versions.forEach((v, i) => {
      if (!isObj(v) || typeof v.name !== 'string' || v.name === '') causes.push(required(specPath.child('versions').index(i).child('name')));
    });
  }
  return causes;
}
