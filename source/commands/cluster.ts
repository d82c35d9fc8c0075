// `agw-workshop cluster up|down|status|kubeconfig|reset`: the embedded
// cluster's lifecycle. `up` starts `cluster up --foreground` detached and
// returns once the API answers and the system pods are Ready.
import { parseFlags } from '../report/parse-flags.js';

const USAGE = `Usage: agw-workshop cluster <command>

  up [--foreground] [--timeout SECONDS]   start the embedded cluster (returns when the API and system pods are ready)
  down [--timeout SECONDS]                stop it and every pod
  status [--json]                         what runs where (exit 3 when the cluster is not running)
  kubeconfig                              print the path of its kubeconfig
  reset                                   stop it and wipe its store and certificates
`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  const { values } = parseFlags(USAGE, {
    args: rest,
    options: {
      foreground: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const timeoutMs = values.timeout !== undefined ? Number(values.timeout) * 1000 : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of seconds (got "${values.timeout}")`);
  const lifecycle = await import('../cluster/embedded/lifecycle/lifecycle.js');
  switch (sub) {
    case 'up':
      if (values.foreground) {
        const { runForeground } = await import('../cluster/embedded/lifecycle/cluster-process.js');
        const code = await runForeground();
        // Everything is stopped and flushed; a handle left open by a bug must not keep the process (and its port) alive.
        setTimeout(() => process.exit(code), 200).unref();
        return code;
      }
      return lifecycle.up({ timeoutMs });
    case 'down':
      return lifecycle.down({ timeoutMs });
    case 'status':
      return lifecycle.status({ json: values.json });
    case 'kubeconfig':
      return lifecycle.kubeconfig();
    case 'reset': {
      const code = await lifecycle.reset();
      // Progress and journals describe the wiped cluster's objects: forget them too, so `list` and `cleanup` tell the truth.
      const { forgetEmbeddedClusterState } = await import('../lesson/state.js');
      const lessons = await forgetEmbeddedClusterState();
      if (lessons.length) process.stdout.write(`Lesson progress reset (it described the wiped cluster): ${lessons.join(', ')}.\n`);
      return code;
    }
    default:
      process.stderr.write(`agw-workshop cluster: unknown command "${sub}"\n\n${USAGE}`);
      return 2;
  }
}
