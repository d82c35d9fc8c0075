// Names other parts (install manifests, lessons, docs) rely on.
import { readFileSync } from 'node:fs';

/** spec.controllerName of the GatewayClasses this controller accepts (agentgateway, enterprise-agentgateway). */
export const CONTROLLER_NAME = 'agw-workshop.dev/gateway-controller';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'agw-workshop-controller';
export const PROXY_SERVICE_ACCOUNT = 'agw-workshop-proxy';
export const IMAGE_REPOSITORY = 'ghcr.io/agw-workshop/agw-workshop';

/** The package version (the proxy image tag), read from package.json above this file (source or dist). */
export function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agw-workshop' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

export function proxyImage(): string {
  return `${IMAGE_REPOSITORY}:${packageVersion()}`;
}
