// The values behind ${VARS}: NAMESPACE, WORK_DIR, GATEWAY_NAME, and
// GATEWAY_IP, read from the Gateway's LoadBalancer Service the way the lab
// texts do (label gateway.networking.k8s.io/gateway-name), waiting for it.
import { loadBalancerAddress, type ClusterClient } from '../cluster/client.js';
import { sleep } from '../common/sleep.js';
import { fillVariables, variablesUsed, type Variables } from './variables.js';
import { isWorkFileVariable, workFileVariable } from './work-file-variables.js';

/** Shown as the API key when OPENAI_API_KEY is unset: obviously not a key (the mock accepts anything; OpenAI would answer 401). */
export const PLACEHOLDER_OPENAI_API_KEY = 'sk-agw-workshop-placeholder-not-a-real-key';

export function openAiApiKey(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENAI_API_KEY?.trim() || PLACEHOLDER_OPENAI_API_KEY;
}

export const DEFAULT_GATEWAY_NAME = 'agentgateway-proxy';
const ADDRESS_TIMEOUT_MS = 90_000;

export interface ResolverOptions {
  namespace: string;
  workDir: string;
  gatewayName?: string;
  client: () => Promise<ClusterClient>;
  signal: AbortSignal;
  progress: (message: string) => void;
}

export class VariableResolver {
  private readonly known: Variables;
  private gatewayIp: Promise<string> | undefined;

  constructor(private readonly options: ResolverOptions) {
    this.known = { NAMESPACE: options.namespace, WORK_DIR: options.workDir, GATEWAY_NAME: options.gatewayName ?? DEFAULT_GATEWAY_NAME };
  }

  async fill(text: string, where: string): Promise<string> {
    const vars: Variables = { ...this.known };
    if (variablesUsed(text).includes('GATEWAY_IP')) vars.GATEWAY_IP = await this.gatewayAddress();
    for (const name of variablesUsed(text).filter(isWorkFileVariable)) vars[name] = (await workFileVariable(name, this.options.workDir))!;
    if (variablesUsed(text).includes('OPENAI_API_KEY')) vars.OPENAI_API_KEY = openAiApiKey();
    return fillVariables(text, vars, where);
  }

  /** Forget the cached gateway address (the Gateway was recreated). */
  invalidate(): void {
    this.gatewayIp = undefined;
  }

  private gatewayAddress(): Promise<string> {
    this.gatewayIp ??= this.lookUpGatewayAddress().catch((error) => {
      this.gatewayIp = undefined;
      throw error;
    });
    return this.gatewayIp;
  }

  private async lookUpGatewayAddress(): Promise<string> {
    const client = await this.options.client();
    const { namespace } = this.options;
    const gateway = this.known.GATEWAY_NAME!;
    const selector = `gateway.networking.k8s.io/gateway-name=${gateway}`;
    const deadline = Date.now() + ADDRESS_TIMEOUT_MS;
    let said = false;
    for (let i = 0; i < ADDRESS_TIMEOUT_MS / 250 + 1; i++) {
      const services = await client.list('v1', 'Service', namespace, selector);
      const address = services.map(loadBalancerAddress).find(Boolean);
      if (address) return address;
      if (Date.now() > deadline) break;
      if (!said) this.options.progress(`waiting for the load-balancer address of Gateway ${namespace}/${gateway}…`);
      said = true;
      await sleep(250, this.options.signal);
    }
    throw new Error(`Gateway ${namespace}/${gateway} has no load-balancer address (no Service labelled ${selector} with status.loadBalancer.ingress) after ${ADDRESS_TIMEOUT_MS / 1000}s`);
  }
}
