// The pids of running pod processes, on disk, so a cluster that crashed (kill
// -9) does not leave pods holding their addresses and ports: the next start
// kills what the previous one left behind before starting pods again.
import fs from 'node:fs';
import { writeFileAtomicSync } from '../../../state/atomic-write.js';

interface Entry { pod: string; container: string; startedAt: string }

export class PidRegistry {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly file: string, private readonly cliPath: string) {}

  add(pid: number, entry: Entry): void {
    this.entries.set(pid, entry);
    this.save();
  }

  remove(pid: number): void {
    if (this.entries.delete(pid)) this.save();
  }

  private save(): void {
    try {
      writeFileAtomicSync(this.file, JSON.stringify(Object.fromEntries(this.entries), null, 2) + '\n');
    } catch {
      // Best effort: a missing record only means a slower cleanup after a crash.
    }
  }

  /** Kills processes recorded by a previous run that are still alive and still ours. Returns what was killed. */
  async killLeftovers(): Promise<string[]> {
    let recorded: Record<string, Entry> = {};
    try {
      recorded = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Entry>;
    } catch {
      return [];
    }
    const killed: string[] = [];
    for (const [pidText, entry] of Object.entries(recorded)) {
      const pid = Number(pidText);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !isAlive(pid) || !isOurs(pid, this.cliPath)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(`${entry.pod}/${entry.container} (pid ${pid})`);
      } catch { /* gone meanwhile */ }
    }
    // Wait (bounded) until they are gone, so their ports are free again.
    const deadline = Date.now() + 3000;
    for (const pidText of Object.keys(recorded)) {
      while (isAlive(Number(pidText)) && isOurs(Number(pidText), this.cliPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
    this.entries.clear();
    this.save();
    return killed;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** On Linux, check the command line so a recycled pid of another program is never killed. */
function isOurs(pid: number, cliPath: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.length === 0) return false; // zombie
    return cmdline.includes(cliPath);
  } catch (error) {
    // No /proc (macOS): trust the record.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync('/proc/self');
  }
}
