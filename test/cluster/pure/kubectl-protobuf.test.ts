// Protobuf bodies captured from the real kubectl (v1.32, `kubectl create
// ... -v=10` hexdumps) decode to exactly what the same command prints with
// `--dry-run=client -o json` (kubectl's own JSON of the object it sent).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { decodeProtobufObject } from '../../../source/cluster/embedded/protobuf/index.js';

interface Case {
  name: string;
  command: string;
  protobufHex: string;
  dryRunJson: Record<string, unknown>;
}
const { cases } = JSON.parse(readFileSync(new URL('fixtures/kubectl-protobuf.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Go prints a zero metav1.Time as `creationTimestamp: null`; protobuf carries nothing for it. */
function withoutNullTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullTimestamps);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === 'creationTimestamp' && v === null)).map(([k, v]) => [k, withoutNullTimestamps(v)]));
}

for (const c of cases) {
  test(`${c.command} decodes to what --dry-run=client -o json prints`, (t) => {
    const decoded = decodeProtobufObject(Buffer.from(c.protobufHex, 'hex'));
    t.deepEqual(decoded, withoutNullTimestamps(c.dryRunJson));
  });
}
