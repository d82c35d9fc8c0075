// GatewayClasses whose spec.controllerName is ours are Accepted; others are
// left alone (their status belongs to another controller).
import type { ObjectStatusUpdate } from '../ir/status-types.js';
import { condition } from './conditions.js';
import type { KubeObject, TranslateOptions } from './input-types.js';
import { asRecord, asString, generationOf, nameOf } from './fields.js';

export function ourGatewayClasses(classes: KubeObject[], controllerName: string): KubeObject[] {
  return classes.filter((c) => asString(asRecord(c.spec).controllerName) === controllerName && nameOf(c));
}

export function gatewayClassStatus(gatewayClass: KubeObject, options: TranslateOptions): ObjectStatusUpdate {
  const generation = generationOf(gatewayClass);
  return {
    target: { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: nameOf(gatewayClass) },
    status: {
      conditions: [
        condition('Accepted', true, 'Accepted', `accepted by ${options.controllerName}`, generation, options.now),
        condition('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1 resources are supported', generation, options.now),
      ],
    },
  };
}
