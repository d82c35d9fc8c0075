// runtime.json (what runs: pid, API URL, port, network) and the kubeconfig
// for the embedded cluster. Both are read by `cluster status|down|up` and by
// anything that needs to find the running cluster.
import fs from 'node:fs';
import { writeFileAtomicSync } from '../../../state/atomic-write.js';
import type { ClusterNetwork } from '../network/network.js';

export interface ClusterRuntime {
  pid: number;
  apiUrl: string;
  port: number;
  network: ClusterNetwork;
  startedAt: string;
  kubeconfig: string;
}

export const CONTEXT_NAME = 'agw-workshop';

export function readRuntime(file: string): ClusterRuntime | undefined {
  try {
    const runtime = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterRuntime;
    return typeof runtime.pid === 'number' ? runtime : undefined;
  } catch {
    return undefined;
  }
}

export function writeRuntime(file: string, runtime: ClusterRuntime): void {
  writeFileAtomicSync(file, JSON.stringify(runtime, null, 2) + '\n');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // After a reboot the recorded pid may belong to something else: never report (or signal) that as our cluster.
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('cluster') && cmdline.includes('--foreground');
  } catch {
    return true; // no /proc (macOS): trust the pid
  }
}

/** The running cluster of this home, or undefined (a runtime.json whose process is gone does not count). */
export function runningCluster(file: string): ClusterRuntime | undefined {
  const runtime = readRuntime(file);
  return runtime && isAlive(runtime.pid) ? runtime : undefined;
}

export function kubeconfigYaml(apiUrl: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${CONTEXT_NAME}`,
    '  cluster:',
    `    server: ${apiUrl}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${CONTEXT_NAME}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${CONTEXT_NAME}`,
    '  context:',
    `    cluster: ${CONTEXT_NAME}`,
    `    user: ${CONTEXT_NAME}`,
    '    namespace: default',
    `current-context: ${CONTEXT_NAME}`,
    'preferences: {}',
    '',
  ].join('\n');
}

export function writeKubeconfig(file: string, apiUrl: string, caPem: string, token: string): void {
  writeFileAtomicSync(file, kubeconfigYaml(apiUrl, caPem, token), { mode: 0o600 });
}
