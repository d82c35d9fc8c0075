// Render at a chosen terminal size (ink-testing-library's stdout is 100 wide
// with no rows), with resize, and wait for frames without fixed sleeps.
import { EventEmitter } from 'node:events';
import { render as inkRender, type Instance } from 'ink';
import type { ReactElement } from 'react';

export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = () => this.frames[this.frames.length - 1] ?? '';
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export interface Sized {
  instance: Instance;
  stdout: FakeStdout;
  stdin: FakeStdin;
  lastFrame(): string;
}

export function renderSized(tree: ReactElement, columns: number, rows: number): Sized {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const stderr = new FakeStdout(columns, rows);
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { instance, stdout, stdin, lastFrame: stdout.lastFrame };
}

/** Poll the latest frame until `check` holds; bounded in time, with the frame in the error. */
export async function waitForFrame(lastFrame: () => string | undefined, check: (frame: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (check(frame)) {
      // Let the effects of this frame run (input subscriptions of a screen just shown).
      await settle();
      return frame;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const keys = {
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  home: '\u001B[H',
  tab: '\t',
  backspace: '\u007F',
};

/** Strip ANSI escape codes (tests that are not about colour compare text). */
export function plainText(frame: string): string {
  return frame.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * Let React run the effects of the frame just seen: Ink writes a frame at commit,
 * and a newly shown input (TextInput, Select) starts listening in an effect after it.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
