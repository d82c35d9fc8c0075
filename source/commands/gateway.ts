// `agw-workshop gateway controller` — accepts our GatewayClasses, writes status,
// deploys one proxy per Gateway. `agw-workshop gateway proxy --gateway ns/name`
// — the data plane of one Gateway (gateway/proxy/main.ts). Both are what the
// project's image runs in pods; both find the API through loadKubeConfig.
import { parseFlags } from '../report/parse-flags.js';

const USAGE = `Usage:
  agw-workshop gateway controller [--kubeconfig FILE] [--context NAME]
  agw-workshop gateway proxy --gateway NAMESPACE/NAME [--kubeconfig FILE] [--context NAME]`;

async function runController(argv: string[]): Promise<number> {
  let values: { kubeconfig?: string; context?: string; help?: boolean };
  try {
    ({ values } = parseFlags(USAGE, { args: argv, options: { kubeconfig: { type: 'string' }, context: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`agw-workshop gateway controller: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const { loadKubeConfig } = await import('../cluster/kubeconfig.js');
  const { startController, CONTROLLER_NAME } = await import('../../gateway/controller/index.js');
  const controller = startController({ kubeConfig: loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context }) });
  process.stderr.write(`agw-workshop gateway controller: accepting GatewayClasses with controllerName ${CONTROLLER_NAME}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await controller.stop();
  return 0;
}

async function runProxyCommand(argv: string[]): Promise<number> {
  // The data plane owns its flags; it is loaded only when a proxy pod starts.
  const { runProxy } = await import('../../gateway/proxy/main.js');
  return runProxy(argv);
}

export async function run(argv: string[]): Promise<number> {
  const [role, ...rest] = argv;
  switch (role) {
    case 'controller':
      return runController(rest);
    case 'proxy':
      return runProxyCommand(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return role === undefined ? 1 : 0;
    default:
      process.stderr.write(`agw-workshop gateway: unknown role "${role}"\n${USAGE}\n`);
      return 2;
  }
}
