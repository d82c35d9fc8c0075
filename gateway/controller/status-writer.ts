// Writes translated status through the status subresource, only when it
// changed. Conditions whose status did not change keep their
// lastTransitionTime; route parents and policy ancestors written by other
// controllers are kept.
import type { Condition, ObjectStatusUpdate } from '../ir/status-types.js';
import type { InputObject, TranslateInput } from '../translate/input-types.js';
import { canonicalJson } from '../translate/stable-hash.js';
import { KubeApi, KubeApiError } from '../watch/kube-api.js';
import { TRANSLATION_KINDS, collectionPath } from '../watch/kinds.js';

function keepTransitionTimes(next: Condition[] | undefined, previous: unknown): Condition[] | undefined {
  if (!Array.isArray(next)) return next;
  const old = Array.isArray(previous) ? (previous as Condition[]) : [];
  return next.map((condition) => {
    const before = old.find((c) => c && c.type === condition.type);
    return before && before.status === condition.status && before.lastTransitionTime ? { ...condition, lastTransitionTime: before.lastTransitionTime } : condition;
  });
}

/** Carries lastTransitionTime over, at every level where conditions live. */
export function mergeStatus(next: Record<string, any>, current: Record<string, any> | undefined, controllerName: string): Record<string, any> {
  const merged: Record<string, any> = { ...next };
  const previous = current ?? {};
  if (next.conditions) merged.conditions = keepTransitionTimes(next.conditions, previous.conditions);
  if (Array.isArray(next.listeners)) {
    merged.listeners = next.listeners.map((listener: any) => {
      const before = (previous.listeners ?? []).find((l: any) => l?.name === listener.name);
      return { ...listener, conditions: keepTransitionTimes(listener.conditions, before?.conditions) };
    });
  }
  for (const field of ['parents', 'ancestors'] as const) {
    if (!Array.isArray(next[field])) continue;
    const refField = field === 'parents' ? 'parentRef' : 'ancestorRef';
    const oldEntries: any[] = Array.isArray(previous[field]) ? previous[field] : [];
    const ours = next[field].map((entry: any) => {
      const before = oldEntries.find((o) => o?.controllerName === controllerName && canonicalJson(o?.[refField]) === canonicalJson(entry[refField]));
      return { ...entry, conditions: keepTransitionTimes(entry.conditions, before?.conditions) };
    });
    const others = oldEntries.filter((o) => o?.controllerName !== controllerName);
    merged[field] = [...others, ...ours];
  }
  return merged;
}

function findObject(input: TranslateInput, target: ObjectStatusUpdate['target']): { object: InputObject; path: string } | undefined {
  const kind = TRANSLATION_KINDS.find((k) => k.kind === target.kind && k.group === target.group);
  if (!kind) return undefined;
  const object = (input[kind.field] as InputObject[] | undefined)?.find(
    (o) => o.metadata?.name === target.name && (target.namespace === undefined || o.metadata?.namespace === target.namespace),
  );
  if (!object) return undefined;
  const version = (object.apiVersion ?? '').split('/')[1] ?? kind.versions[0]!;
  const base = collectionPath(kind, version);
  const path = target.namespace
    ? base.replace(new RegExp(`/${kind.plural}$`), `/namespaces/${target.namespace}/${kind.plural}/${target.name}/status`)
    : `${base}/${target.name}/status`;
  return { object, path };
}

export class StatusWriter {
  /** Writes refused with a 4xx, by object: not retried (nor logged again) until the status to write changes. */
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly api: KubeApi,
    private readonly controllerName: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Writes the statuses that differ from what the snapshot holds; returns how many were written. */
  async write(updates: ObjectStatusUpdate[], input: TranslateInput): Promise<number> {
    let written = 0;
    for (const update of updates) {
      const found = findObject(input, update.target);
      if (!found) continue;
      const current = (found.object.status ?? {}) as Record<string, any>;
      const merged = mergeStatus(update.status, current, this.controllerName);
      const unchanged = Object.keys(merged).every((key) => canonicalJson(merged[key]) === canonicalJson(current[key]));
      if (unchanged) continue;
      const key = `${found.path}#${found.object.metadata?.uid ?? ''}`;
      const content = canonicalJson(merged);
      if (this.refused.get(key) === content) continue;
      try {
        await this.api.request('PATCH', found.path, { status: merged }, 'application/merge-patch+json');
        this.refused.delete(key);
        written += 1;
      } catch (error) {
        // A conflict or a vanished object settles with the next snapshot; a refusal (no status subresource,
        // no permission) would repeat forever, so it is remembered until there is something new to write.
        const code = error instanceof KubeApiError ? error.statusCode : 0;
        if (code >= 400 && code < 500 && code !== 409) this.refused.set(key, content);
        this.log(`status of ${update.target.kind} ${update.target.namespace ?? ''}/${update.target.name} not written (${code || (error as Error).message})`);
      }
    }
    return written;
  }
}
