// The port map: which declared ports a pod really serves elsewhere, written
// down in the `agw-workshop.dev/port-map` annotation and the AGW_PORT_MAP
// environment variable. One definition for both sides: the embedded cluster's
// kubelet and controllers (source/cluster/embedded) write and read it, the
// gateway proxy and its status read it. Which ports get remapped, and why, is
// the kubelet's business (source/cluster/embedded/kubelet/port-map.ts).

export const PORT_MAP_ANNOTATION = 'agw-workshop.dev/port-map';
export const PORT_MAP_ENV = 'AGW_PORT_MAP';

/** "443:8443,8000:40123", sorted by declared port. */
export function formatPortMap(map: Map<number, number>): string {
  return [...map].sort(([a], [b]) => a - b).map(([from, to]) => `${from}:${to}`).join(',');
}

/**
 * The map an object's `agw-workshop.dev/port-map` annotation records, for
 * readers that must not fail on it: absent or malformed (hand-edited) → empty,
 * i.e. every port is served as declared.
 */
export function recordedPortMap(object: { metadata?: { annotations?: Record<string, string> } }): Map<number, number> {
  const value = object.metadata?.annotations?.[PORT_MAP_ANNOTATION];
  try {
    return parsePortMap(typeof value === 'string' ? value : undefined);
  } catch {
    return new Map();
  }
}

/** Parses "443:8443,80:8080"; entries that are not two port numbers are errors naming the entry. */
export function parsePortMap(text: string | undefined): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^(\d{1,5}):(\d{1,5})$/.exec(entry);
    if (!match) throw new Error(`port map entry "${entry}" is not <port>:<port>`);
    map.set(Number(match[1]), Number(match[2]));
  }
  return map;
}
