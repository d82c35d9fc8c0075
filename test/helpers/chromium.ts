// Debian's headless Chromium for page tests, driven over the DevTools protocol
// on a pipe (--remote-debugging-pipe: JSON messages, NUL-terminated, on fds 3
// and 4), so a test can click like a learner and read what is shown. Missing
// Chromium is a clear failure, never a skip.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's path, or throws saying how to install it. */
export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, ...CHROMIUM_CANDIDATES].find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error(`headless Chromium is not installed (looked for ${CHROMIUM_CANDIDATES.join(', ')}): as root, apt-get update && apt-get install -y chromium`);
  return found;
}

// Per /work/.library/env machines notes: no sandbox as root, and no background networking on a closed network.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface Browser {
  /** Opens a page and waits until it has loaded (bounded). */
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

export interface Page {
  /** Evaluates an expression in the page and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  screenshot(file: string): Promise<void>;
}

export async function launchChromium(timeoutMs = 20_000): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-chromium-'));
  // Its own process group: Chromium's helpers (zygote, crashpad) outlive the browser process and keep
  // writing to the profile directory, so close() ends the whole group before removing it.
  const child: ChildProcess = spawn(chromiumPath(), [...FLAGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let buffer = Buffer.alloc(0);
  const eventWaiters: { method: string; sessionId?: string; resolve: () => void }[] = [];
  const nextEvent = (method: string, sessionId: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} from chromium within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      eventWaiters.push({ method, sessionId, resolve: () => (clearTimeout(timer), resolve()) });
    });
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0)) {
      const message = JSON.parse(buffer.subarray(0, end).toString('utf8')) as { id?: number; method?: string; sessionId?: string; result?: unknown; error?: { message: string } };
      buffer = buffer.subarray(end + 1);
      if (message.method) {
        for (const w of [...eventWaiters]) if (w.method === message.method && w.sessionId === message.sessionId) {
          eventWaiters.splice(eventWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const waiter = message.id !== undefined ? pending.get(message.id) : undefined;
      if (!waiter) continue;
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const w of pending.values()) w.reject(new Error(`chromium exited: ${stderr}`));
    pending.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      pending.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) });
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });

  await send('Browser.getVersion');
  return {
    async open(url) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      await send('Page.enable', {}, sessionId);
      const loaded = nextEvent('Page.loadEventFired', sessionId);
      const navigation = await send('Page.navigate', { url }, sessionId);
      if (navigation.errorText) throw new Error(`chromium could not open ${url}: ${navigation.errorText}`);
      await loaded;
      const evaluate = async <T>(expression: string): Promise<T> => {
        const reply = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
        if (reply.exceptionDetails) throw new Error(`page script failed: ${reply.exceptionDetails.text} ${reply.exceptionDetails.exception?.description ?? ''}`);
        return reply.result.value as T;
      };
      return {
        evaluate,
        async screenshot(file) {
          const { data } = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
          fs.writeFileSync(file, Buffer.from(data as string, 'base64'));
        },
      };
    },
    async close() {
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group is already gone
        }
      };
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
      // A helper killed a moment ago may still have a file open in the profile: rm retries on ENOTEMPTY/EBUSY.
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
