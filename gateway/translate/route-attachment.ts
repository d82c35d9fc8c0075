// Which listeners a route attaches to: parentRefs (with sectionName and port),
// the listener's allowedRoutes (kinds; namespaces Same/All/Selector) and the
// hostname intersection. The result per parentRef becomes the route's
// Accepted condition for that parent.
import type { Problem } from './conditions.js';
import type { InputObject } from './input-types.js';
import { asArray, asNumber, asRecord, asString, nameOf, namespaceOf } from './fields.js';
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import type { GatewayState, ListenerState } from './gateway-state.js';
import { intersectHostnames } from './hostname-rules.js';
import { selectorMatches } from '../../source/cluster/label-selector.js';
import type { SnapshotIndex } from './snapshot-index.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface AttachedListener {
  listener: ListenerState;
  /** Route hostnames on this listener; [] means any. */
  hostnames: string[];
}

export interface ParentAttachment {
  /** The parentRef as written (echoed in status). */
  parentRef: Record<string, unknown>;
  gateway: GatewayState;
  attached: AttachedListener[];
  /** Why nothing attached (when `attached` is empty). */
  problem?: Problem;
}

function echoParentRef(ref: Record<string, any>, routeNamespace: string): Record<string, unknown> {
  const echoed: Record<string, unknown> = {
    group: asString(ref.group) ?? GATEWAY_GROUP,
    kind: asString(ref.kind) ?? 'Gateway',
    namespace: asString(ref.namespace) ?? routeNamespace,
    name: asString(ref.name) ?? '',
  };
  if (asString(ref.sectionName)) echoed.sectionName = ref.sectionName;
  if (asNumber(ref.port) !== undefined) echoed.port = ref.port;
  return echoed;
}

function namespaceAllowed(index: SnapshotIndex, listener: ListenerState, gatewayNamespace: string, routeNamespace: string): boolean {
  const namespaces = asRecord(asRecord(listener.spec.allowedRoutes).namespaces);
  const from = asString(namespaces.from) ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === gatewayNamespace;
  if (from === 'Selector') return selectorMatches(namespaces.selector, index.labelsOfNamespace(routeNamespace));
  return false;
}

/**
 * Attaches a route of `routeKind` to the parents it names among `gateways`
 * (ours only: parentRefs to other Gateways are skipped, their status is not ours to write).
 */
export function attachRoute(
  index: SnapshotIndex,
  gateways: Map<string, GatewayState>,
  route: InputObject,
  routeKind: string,
): ParentAttachment[] {
  const routeNamespace = namespaceOf(route);
  const routeHostnames = asArray(asRecord(route.spec).hostnames).filter((h): h is string => typeof h === 'string');
  const results: ParentAttachment[] = [];
  for (const raw of asArray(asRecord(route.spec).parentRefs)) {
    const ref = asRecord(raw);
    if ((asString(ref.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (asString(ref.kind) ?? 'Gateway') !== 'Gateway') continue;
    const gateway = gateways.get(`${asString(ref.namespace) ?? routeNamespace}/${asString(ref.name) ?? ''}`);
    if (!gateway) continue;
    const attachment: ParentAttachment = { parentRef: echoParentRef(ref, routeNamespace), gateway, attached: [] };
    results.push(attachment);
    const sectionName = asString(ref.sectionName);
    const port = asNumber(ref.port);
    const candidates = gateway.listeners.filter((l) => (!sectionName || l.name === sectionName) && (port === undefined || l.port === port));
    if (candidates.length === 0) {
      attachment.problem = {
        reason: 'NoMatchingParent',
        message: `Gateway ${gateway.namespace}/${gateway.name} has no listener${sectionName ? ' named ' + sectionName : ''}${port !== undefined ? ' on port ' + port : ''}`,
      };
      continue;
    }
    let hostnameMismatch = false;
    let notAllowed: string | undefined;
    for (const listener of candidates) {
      if (!listener.supportedKinds.some((k) => k.group === GATEWAY_GROUP && k.kind === routeKind)) {
        notAllowed ??= `listener ${listener.name} does not allow ${routeKind}`;
        continue;
      }
      if (!namespaceAllowed(index, listener, gateway.namespace, routeNamespace)) {
        notAllowed ??= `listener ${listener.name} does not allow routes from namespace ${routeNamespace}`;
        continue;
      }
      const hostnames = intersectHostnames(listener.hostname, routeHostnames);
      if (!hostnames) {
        hostnameMismatch = true;
        continue;
      }
      attachment.attached.push({ listener, hostnames });
    }
    if (attachment.attached.length === 0) {
      attachment.problem = hostnameMismatch
        ? { reason: 'NoMatchingListenerHostname', message: `no listener hostname of Gateway ${gateway.namespace}/${gateway.name} matches the route's hostnames (${routeHostnames.join(', ')})` }
        : { reason: 'NotAllowedByListeners', message: notAllowed ?? 'no listener allows this route' };
    }
  }
  return results;
}

/**
 * A route none of our Gateways takes any more (parentRef removed, Gateway
 * deleted) but whose status still carries our parent entries: the status to
 * write so they disappear (entries of other controllers are kept by the writer).
 */
export function staleParentsUpdate(route: InputObject, kind: string, controllerName: string): ObjectStatusUpdate | undefined {
  const parents = asArray(asRecord(route.status).parents);
  if (!parents.some((p) => asRecord(p).controllerName === controllerName)) return undefined;
  const group = (asString(route.apiVersion) ?? GATEWAY_GROUP).split('/')[0] ?? GATEWAY_GROUP;
  return { target: { group, kind, namespace: namespaceOf(route), name: nameOf(route) }, status: { parents: [] } };
}
