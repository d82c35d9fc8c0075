// Go's time.Duration text, as cert-manager's spec.duration and renewBefore use it: "2160h", "1h30m", "90s".
// Also the echo-basic workload's ?delay= (source/workloads/echo-basic).
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not exactly a Go duration (no surrounding spaces). */
export function goDurationMs(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

export function parseGoDuration(text: string): number {
  const ms = goDurationMs(text.trim());
  if (ms === undefined) throw new Error(`"${text}" is not a duration (examples: 2160h, 1h30m)`);
  return ms;
}
