// core/v1 Events, so `kubectl describe` tells what the loops did (Scheduled,
// Started, ImageNotKnown, BackOff, SuccessfulCreate, Issued, ...). Repeats of
// the same event for the same object bump `count`, as the real recorder does.
// Recording never fails the caller: an event is a courtesy, not state.
import crypto from 'node:crypto';
import type { KubeObject, ResourceKey, Store } from '../store/store-types.js';

export const EVENTS: ResourceKey = { group: '', resource: 'events' };

export type EventType = 'Normal' | 'Warning';
export type EventSink = (object: KubeObject, type: EventType, reason: string, message: string) => void;

const MAX_REMEMBERED = 2000;

export function eventRecorder(store: Store, component: string, log: (line: string) => void): EventSink {
  const recorded = new Map<string, { namespace: string; name: string }>();
  let warned = false;
  return (object, type, reason, message) => {
    const namespace = object.metadata.namespace ?? 'default';
    const key = `${object.metadata.uid}|${type}|${reason}|${message}`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    try {
      const seen = recorded.get(key);
      const existing = seen && store.get(EVENTS, seen.namespace, seen.name);
      if (existing) {
        store.update(EVENTS, { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: now });
        return;
      }
      const name = `${object.metadata.name}.${crypto.randomBytes(8).toString('hex')}`;
      store.create(EVENTS, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace, uid: object.metadata.uid },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component, host: 'agw-workshop' },
        reportingComponent: component,
        reportingInstance: 'agw-workshop',
      });
      if (recorded.size >= MAX_REMEMBERED) recorded.delete(recorded.keys().next().value!);
      recorded.set(key, { namespace, name });
    } catch (error) {
      if (!warned) log(`events: could not record ${reason} for ${namespace}/${object.metadata.name}: ${(error as Error).message}`);
      warned = true;
    }
  };
}
