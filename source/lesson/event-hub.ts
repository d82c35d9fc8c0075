// Fan-out of runner events to listeners and to async iterators. An iterator
// created before run() sees every event; it ends when the hub is closed.
import type { RunnerEvent } from './events.js';

export type Listener = (event: RunnerEvent) => void;

export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RunnerEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // a renderer's bug must not stop the lesson
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const close of [...this.closers]) close();
  }

  iterate(): AsyncIterable<RunnerEvent> {
    const queue: RunnerEvent[] = [];
    let wake: (() => void) | undefined;
    let done = this.closed;
    const offEvent = this.on((event) => {
      queue.push(event);
      wake?.();
    });
    const onClose = () => {
      done = true;
      wake?.();
    };
    this.closers.add(onClose);
    const off = () => {
      offEvent();
      this.closers.delete(onClose);
    };
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<RunnerEvent>> => {
          while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
          const value = queue.shift();
          if (value) return { value, done: false };
          off();
          return { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<RunnerEvent>> => {
          off();
          return { value: undefined, done: true };
        },
      }),
    };
  }
}
