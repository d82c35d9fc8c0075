// Cross-namespace references are allowed only by a ReferenceGrant in the
// target's namespace naming the referrer's group/kind/namespace and the target's
// group/kind (and, when given, name). Same-namespace references always are.
import type { InputObject } from './input-types.js';
import { asArray, asRecord, asString, namespaceOf } from './fields.js';

export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function isReferenceAllowed(grants: InputObject[], from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  for (const grant of grants) {
    if (namespaceOf(grant) !== to.namespace) continue;
    const spec = asRecord(grant.spec);
    const fromOk = asArray(spec.from).some((entry) => {
      const f = asRecord(entry);
      return (asString(f.group) ?? '') === from.group && asString(f.kind) === from.kind && asString(f.namespace) === from.namespace;
    });
    if (!fromOk) continue;
    const toOk = asArray(spec.to).some((entry) => {
      const t = asRecord(entry);
      const name = asString(t.name);
      return (asString(t.group) ?? '') === to.group && asString(t.kind) === to.kind && (!name || name === to.name);
    });
    if (toOk) return true;
  }
  return false;
}
