// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per package
// or per dist file, so a start-up profile says where the time goes (module
// compile/evaluation is charged to the file that runs, "(program)" and
// "(garbage collector)" to V8 itself).
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--by file|package]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--by file|package]');
  process.exit(2);
}
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const by = args.includes('--by') ? args[args.indexOf('--by') + 1] : 'package';
const profile = JSON.parse(readFileSync(file, 'utf8'));

const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const interval = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;

function group(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return by === 'file' ? url : 'node: built-ins';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return by === 'file' ? rest.join('/') : rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? (by === 'file' ? url.slice(dist + 1) : url.slice(dist + 1).split('/').slice(0, 3).join('/')) : url;
}

const totals = new Map();
for (const node of profile.nodes) {
  const samples = selfSamples.get(node.id) ?? 0;
  if (!samples) continue;
  const key = group(node.callFrame.url, node.callFrame.functionName);
  totals.set(key, (totals.get(key) ?? 0) + samples * interval);
}
const total = [...totals.values()].reduce((a, b) => a + b, 0);
console.log(`${file}: ${total.toFixed(0)} ms sampled (interval ${interval.toFixed(2)} ms)`);
for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${ms.toFixed(1).padStart(8)} ms  ${((ms / total) * 100).toFixed(0).padStart(3)}%  ${key}`);
}
