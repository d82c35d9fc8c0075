// Which built-in program a container image runs. A pod is a child process of
// the CLI: the project's own image runs the CLI with the container's
// command/args (so `gateway proxy` runs as in a real pod); a known third-party
// image runs `workload <name>` configured from the same args, as that image
// would be. Anything else is reported, never silently ignored.

export interface ImageProgram {
  /** Arguments after the CLI path. */
  argv: string[];
  /** What the image was recognised as (for logs). */
  runs: string;
}

interface KnownImage {
  repositories: string[];
  /** The built-in workload; absent for the project's own image. */
  workload?: string;
  /** Args used when the container gives none (the image's default CMD). */
  defaultArgs?: string[];
  /**
   * Ports the image listens on whether or not the pod declares them (CoreDNS's
   * Corefile says :53; the suite's coredns Deployment declares no port). The
   * kubelet maps them like declared ports, so the EndpointSlice and the pod's
   * port map say where the process really listens.
   */
  listens?: number[];
  /** The image's own environment (a Dockerfile's ENV): under the pod's, which overrides it. */
  env?: Record<string, string>;
}

export const OWN_IMAGE = 'ghcr.io/agw-workshop/agw-workshop';

/**
 * glibc's malloc, with fixed thresholds for the project's image (the gateway proxy's pods):
 * free memory at the top of the heap goes back above 128 KiB, and an allocation of 128 KiB
 * or more gets its own mapping, returned when freed, instead of glibc raising that threshold
 * after the first such free. After a connection flood the memory the proxy keeps shrinks to
 * 0.62-0.68x, at no measurable cost per request (bench/README.md, proxy-memory.mjs). Other
 * C libraries ignore the variable.
 */
export const OWN_IMAGE_MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072';

export const KNOWN_IMAGES: KnownImage[] = [
  { repositories: [OWN_IMAGE], env: { GLIBC_TUNABLES: OWN_IMAGE_MALLOC_TUNABLES } },
  { repositories: ['ghcr.io/llm-d/llm-d-inference-sim'], workload: 'inference-sim' },
  {
    repositories: [
      'registry.k8s.io/gateway-api/conformance/echo-basic',
      'registry.k8s.io/gateway-api/echo-basic',
      'gcr.io/k8s-staging-gateway-api/echo-basic',
      'gcr.io/k8s-staging-gateway-api/echo-advanced',
    ],
    workload: 'echo-basic',
  },
  { repositories: ['mccutchen/go-httpbin', 'ghcr.io/mccutchen/go-httpbin'], workload: 'go-httpbin' },
  { repositories: ['jaegertracing/all-in-one', 'jaegertracing/jaeger'], workload: 'jaeger' },
  { repositories: ['registry.k8s.io/coredns/coredns', 'registry.k8s.io/coredns', 'k8s.gcr.io/coredns/coredns', 'k8s.gcr.io/coredns', 'coredns/coredns'], workload: 'coredns', listens: [53] },
  // The classic Python httpbin serves the same endpoints on port 80.
  { repositories: ['kennethreitz/httpbin'], workload: 'go-httpbin', defaultArgs: ['-port', '80'] },
];

/** Repository of an image reference, without tag or digest, with docker.io defaults removed. */
export function imageRepository(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  ref = ref.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  ref = ref.replace(/^library\//, '');
  return ref.toLowerCase();
}

/** The known image a container runs, or undefined. */
function knownImage(container: { image?: string }): KnownImage | undefined {
  const repository = imageRepository(container.image ?? '');
  return KNOWN_IMAGES.find((k) => k.repositories.includes(repository));
}

/** Ports the container's image listens on without declaring them. */
export function impliedPorts(container: { image?: string }): number[] {
  return knownImage(container)?.listens ?? [];
}

/** The environment the container's image brings (none for an unknown image). */
export function imageEnvironment(container: { image?: string }): Record<string, string> {
  return { ...knownImage(container)?.env };
}

/** All recognised repositories, for the "unknown image" message. */
export function knownRepositories(): string[] {
  return KNOWN_IMAGES.flatMap((k) => k.repositories);
}

const CLI_NAMES = new Set(['agw-workshop', 'node', 'cli.js']);

function stripCliName(command: string[]): string[] {
  const [first, ...rest] = command;
  if (first === undefined) return [];
  const base = first.split('/').pop() ?? first;
  if (!CLI_NAMES.has(base)) return command;
  // `node dist/source/cli.js gateway proxy` → gateway proxy
  if (base === 'node' && rest[0]?.endsWith('cli.js')) return rest.slice(1);
  return rest;
}

/**
 * The program for a container, or undefined for an unknown image. For a
 * third-party image the container's `command` replaces the image entrypoint
 * (its first word is that binary); only what follows it and `args` matter.
 */
export function programFor(container: { image?: string; command?: string[]; args?: string[] }): ImageProgram | undefined {
  const known = knownImage(container);
  if (!known) return undefined;
  const args = container.args ?? [];
  if (!known.workload) {
    return { argv: [...stripCliName(container.command ?? []), ...args], runs: 'agw-workshop' };
  }
  const fromCommand = (container.command ?? []).slice(1);
  const given = [...fromCommand, ...args];
  return { argv: ['workload', known.workload, ...(given.length ? given : known.defaultArgs ?? [])], runs: `workload ${known.workload}` };
}

/**
 * What the project's image runs in a pod: the commands pods need and nothing
 * else. `cluster down`, `cleanup`, `run`, ... are the learner's commands; run
 * in a pod they could stop or rewrite the cluster the pod lives in.
 */
export const OWN_IMAGE_COMMANDS = ['gateway', 'workload'] as const;

/** Why the project's image refuses a container's command, or undefined when it runs it (or the image is another). */
export function refusedCommand(container: { image?: string; command?: string[]; args?: string[] }): string | undefined {
  const program = programFor(container);
  if (!program || program.runs !== 'agw-workshop') return undefined;
  const first = program.argv[0];
  if ((OWN_IMAGE_COMMANDS as readonly string[]).includes(first ?? '')) return undefined;
  const shown = program.argv.slice(0, 3).join(' ').slice(0, 80);
  return `image ${OWN_IMAGE} runs only ${OWN_IMAGE_COMMANDS.map((c) => `"${c} ..."`).join(' and ')} in a pod, not "${shown}"`;
}

export function unknownImageMessage(image: string): string {
  return `image "${image}" is not known to the embedded cluster (pods run built-in programs chosen by image); known images: ${knownRepositories().join(', ')}`;
}
