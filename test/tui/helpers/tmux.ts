// Drive the real binary in a real terminal: a detached tmux session on its own
// server socket (so it never touches the user's tmux), polled with bounded deadlines.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function requireTmux(): void {
  const found = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('tmux is required for the terminal test of the TUI and was not found on PATH (install tmux: apt-get install tmux / brew install tmux)');
  }
}

/** Where tmux puts a named server's socket (tmux(1): $TMUX_TMPDIR or /tmp, then tmux-UID). */
export function socketPath(name: string): string {
  return path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, name);
}

export class TmuxSession {
  readonly socket: string;
  readonly name = 'agw';
  /** The program's exit status is written here by the wrapping shell (tmux's own pane_dead_status is not always recorded). */
  private readonly statusFile: string;

  constructor(label: string) {
    this.socket = `agw-test-${label}-${process.pid}`;
    this.statusFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agw-tmux-')), 'status');
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Start `command` in an 80x24 (by default) pane with these environment variables. */
  start(command: string[], env: Record<string, string>, columns = 80, rows = 24): void {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // remain-on-exit keeps the pane after the program ends, so its exit status can be read.
    const wrapped = ['sh', '-c', '"$@"; echo $? > "$AGW_TMUX_STATUS"', 'sh', ...command];
    this.tmux(['new-session', '-d', '-s', this.name, '-x', String(columns), '-y', String(rows), ...envArgs, '-e', `AGW_TMUX_STATUS=${this.statusFile}`, ...wrapped, ';', 'set-option', '-t', this.name, 'remain-on-exit', 'on']);
  }

  /** The visible pane; `history` adds the lines scrolled above it. */
  capture(withEscapes = false, history = false): string {
    return this.tmux(['capture-pane', '-p', ...(withEscapes ? ['-e'] : []), ...(history ? ['-S', '-200'] : []), '-t', this.name]);
  }

  sendKeys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows)]);
  }

  /** Exit status once the program has ended, else undefined. */
  exitStatus(): number | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.statusFile, 'utf8');
    } catch {
      return undefined;
    }
    // The shell writes the number and a newline; a partial read is asked again.
    return text.endsWith('\n') ? Number(text.trim()) : undefined;
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the pane shows:\n${this.capture()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string> {
    return this.waitFor(
      () => {
        const screen = this.capture();
        // A program that died will not draw it: say so now, with its last screen.
        if (this.exitStatus() !== undefined) throw new Error(`the program exited before showing "${text}"; the pane shows:\n${screen}`);
        return (typeof text === 'string' ? screen.includes(text) : text.test(screen)) ? screen : undefined;
      },
      `"${text}" on screen`,
      timeoutMs,
    );
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    fs.rmSync(path.dirname(this.statusFile), { recursive: true, force: true });
    // The server does not always remove its socket file when killed.
    fs.rmSync(socketPath(this.socket), { force: true });
  }
}
