// Whole-process timing for benches: wall time from spawn to exit, and CPU time
// (user + system) from /proc/self/stat's cutime + cstime — what the kernel
// charged to children this process has waited for. Those counters tick at
// 10 ms, so CPU is read around a batch of runs of one command and divided by
// the batch size; batches of different commands are interleaved in rounds, so
// a burst of other load on the machine hits every command alike. CPU time
// moves least when other work shares the machine: wall time is mostly waiting
// for a core then.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** CPU ms used so far by this process's waited-for children, or undefined off Linux. */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Runs a command to exit; resolves its wall ms. Rejects on a non-zero exit unless `okCodes` has it. */
export function runOnce(command, args, { env, okCodes = [0] } = {}) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', fail);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!okCodes.includes(code)) fail(new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}`));
      else done(ms);
    });
  });
}

/**
 * Interleaved rounds: each round runs every target `batch` times in a row.
 * Returns per target { wall: [ms per run], cpu: [ms per run, one per round] }.
 */
export async function interleavedRounds(targets, { rounds, batch, deadlineMs, warmups = 2 }) {
  for (const target of targets) for (let i = 0; i < warmups; i++) await runOnce(target.command, target.args, target);
  const results = new Map(targets.map((t) => [t.label, { wall: [], cpu: [] }]));
  const deadline = Date.now() + deadlineMs;
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    for (const target of targets) {
      const result = results.get(target.label);
      const cpuBefore = childrenCpuMs();
      for (let i = 0; i < batch; i++) result.wall.push(await runOnce(target.command, target.args, target));
      const cpuAfter = childrenCpuMs();
      if (cpuBefore !== undefined) result.cpu.push((cpuAfter - cpuBefore) / batch);
    }
  }
  return results;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const p90 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
export const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
