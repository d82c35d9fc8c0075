// A step's equivalent commands computed from the lesson alone (no cluster):
// what the TUI shows before a step runs. ${GATEWAY_IP} stays a shell
// variable, set by the `export GATEWAY_IP=...` line shown with it.
import path from 'node:path';
import { homePaths } from '../state/home.js';
import { resolveTarget, kubectlPrefix, type TargetOptions } from './cluster-target.js';
import type { Tool } from './context.js';
import { curlCommand } from '../probe/command-line.js';
import {
  gatewayAddressCommand,
  kubectlApply,
  kubectlCreateCaConfigMap,
  kubectlCreateGenericSecret,
  kubectlCreateTlsSecret,
  kubectlDelete,
  kubectlGetYaml,
  kubectlRestartPods,
  kubectlWait,
  opensslCommands,
} from './equivalents.js';
import { isNamespaced } from './manifests.js';
import { DEFAULT_GATEWAY_NAME } from './variables-resolver.js';
import { certificateFiles } from './steps/certs.js';
import { displayedProbeRequest } from './probe-display.js';
import { tokenCommands } from './steps/tokens.js';
import { variablesUsed } from './variables.js';
import type { Lesson, Step } from './types.js';

export interface StepCommand {
  tool: Tool;
  command: string;
}

export function stepCommands(lesson: Lesson, step: Step, options: TargetOptions & { workDir?: string; namespace?: string } = {}): StepCommand[] {
  const target = resolveTarget(options);
  const kubectl = kubectlPrefix(target);
  const namespace = options.namespace ?? lesson.namespace;
  const workDir = options.workDir ?? path.join(homePaths(options.home).work, lesson.id);
  const gatewayName = lesson.gateway ?? DEFAULT_GATEWAY_NAME;
  const fill = (text: string) => text.replace(/\$\{NAMESPACE\}/g, namespace).replace(/\$\{WORK_DIR\}/g, workDir).replace(/\$\{GATEWAY_NAME\}/g, gatewayName);
  const k = (command: string): StepCommand => ({ tool: 'kubectl', command });
  switch (step.kind) {
    case 'explain':
      return [];
    case 'cluster':
      return target.embedded ? [{ tool: 'shell', command: 'agw-workshop cluster up' }, k(`${kubectl} get nodes,svc -A`)] : [k(`${kubectl} version`)];
    case 'certs':
      return opensslCommands(step.certificates, workDir).map((command) => ({ tool: 'openssl', command }));
    case 'apply':
    case 'restore':
      return step.yaml ? [k(kubectlApply(kubectl, fill(step.yaml)))] : [];
    case 'delete':
      return (step.objects ?? []).map((o) => k(kubectlDelete(kubectl, { ...o, namespace: isNamespaced(o.kind) ? fill(o.namespace ?? '${NAMESPACE}') : undefined })));
    case 'secret':
      return [
        ...step.secrets.map((s) => {
          if (s.literals) return k(kubectlCreateGenericSecret(kubectl, fill(s.namespace ?? '${NAMESPACE}'), s.name, s.literals));
          const files = certificateFiles(workDir, s.certificate!);
          return k(kubectlCreateTlsSecret(kubectl, fill(s.namespace ?? '${NAMESPACE}'), s.name, files.keyFile, files.certFile));
        }),
        ...step.configMaps.map((c) => k(kubectlCreateCaConfigMap(kubectl, fill(c.namespace ?? '${NAMESPACE}'), c.name, certificateFiles(workDir, c.certificate).certFile))),
      ];
    case 'wait': {
      const ns = isNamespaced(step.object.kind) ? fill(step.object.namespace ?? '${NAMESPACE}') : undefined;
      const out = [k(kubectlWait(kubectl, step, ns))];
      if (step.showStatus) out.push(k(kubectlGetYaml(kubectl, { ...step.object, namespace: ns })));
      return out;
    }
    case 'restart':
      return kubectlRestartPods(kubectl, fill(step.namespace ?? '${NAMESPACE}'), step.selector, step.timeoutSeconds).map(k);
    case 'probe': {
      const p = step.probe;
      const request = displayedProbeRequest(p, workDir, fill);
      const out: StepCommand[] = [];
      if (JSON.stringify(p).includes('${GATEWAY_IP}')) out.push(k(gatewayAddressCommand(kubectl, namespace, gatewayName)));
      for (const name of variablesUsed(JSON.stringify(p)).filter((v) => v.startsWith('TOKEN_'))) {
        out.push({ tool: 'shell', command: `export ${name}=$(cat "${path.join(workDir, `${name.slice(6).toLowerCase().replace(/_/g, '-')}.jwt`)}")` });
      }
      // shellQuote keeps ${GATEWAY_IP} and ${TOKEN_…} expandable (double quotes), set by the lines above.
      out.push({ tool: 'curl', command: curlCommand(request) });
      return out;
    }
    case 'tokens':
      return tokenCommands(step, workDir).map((command) => ({ tool: 'openssl', command }));
  }
}
