// A tiny HTTPS client for the lifecycle commands (`cluster up` waiting for
// readiness, `cluster status`): node:https only, so they start fast.
import https from 'node:https';
import fs from 'node:fs';

export interface ApiCredentials {
  server: string;
  caPem: string;
  token: string;
}

/** Reads the kubeconfig this cluster wrote (runtime-record.ts writes it, one cluster and one user), without a YAML parser. */
export function credentialsFromKubeconfig(file: string): ApiCredentials {
  const text = fs.readFileSync(file, 'utf8');
  const server = /^\s*server:\s*(\S+)/m.exec(text)?.[1];
  const ca = /^\s*certificate-authority-data:\s*(\S+)/m.exec(text)?.[1];
  const token = /^\s*token:\s*(\S+)/m.exec(text)?.[1];
  if (!server || !ca || !token) throw new Error(`${file} is not a kubeconfig written by agw-workshop (server, CA or token missing)`);
  return { server, caPem: Buffer.from(ca, 'base64').toString('utf8'), token };
}

export function apiGet<T>(creds: ApiCredentials, path: string, timeoutMs = 2000): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${creds.server}${path}`, { ca: creds.caPem, headers: { Authorization: `Bearer ${creds.token}`, Accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: (text.startsWith('{') ? JSON.parse(text) : text) as T });
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${creds.server} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

interface PodLike {
  metadata: { name: string; namespace?: string; deletionTimestamp?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface DeploymentLike {
  metadata: { name: string; namespace?: string };
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}

export interface SystemReadiness {
  ready: boolean;
  summary: string;
}

export function podReady(pod: PodLike): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The system is ready when every pod in kube-system is Ready (kube-proxy) and every Deployment the install
 * created (label agw-workshop.dev/system=true, e.g. the gateway controller) has its replicas ready. A learner's
 * own workloads, even in agentgateway-system, never hold `cluster up` back.
 */
export async function systemReadiness(creds: ApiCredentials, podNamespaces: string[], systemLabel: string): Promise<SystemReadiness> {
  const waiting: string[] = [];
  let total = 0;
  const deployments = await apiGet<{ items?: DeploymentLike[] }>(creds, `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(`${systemLabel}=true`)}`);
  for (const d of deployments.body.items ?? []) {
    total++;
    const want = d.spec?.replicas ?? 1;
    if ((d.status?.readyReplicas ?? 0) < want) waiting.push(`deployment ${d.metadata.namespace}/${d.metadata.name} (${d.status?.readyReplicas ?? 0}/${want} ready)`);
  }
  for (const ns of podNamespaces) {
    const pods = await apiGet<{ items?: PodLike[] }>(creds, `/api/v1/namespaces/${ns}/pods`);
    for (const p of pods.body.items ?? []) {
      if (p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded') continue;
      total++;
      if (!podReady(p)) {
        const why = p.status?.conditions?.find((c) => c.type === 'Ready')?.message;
        waiting.push(`pod ${ns}/${p.metadata.name}${why ? ` (${why})` : ''}`);
      }
    }
  }
  return { ready: waiting.length === 0, summary: waiting.length ? `waiting for ${waiting.join(', ')}` : `${total} system workloads ready` };
}
