// Helpers the attack benches share (proxy-attack.mjs, proxy-memory.mjs).
import net from 'node:net';

/** A port free on loopback now. */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

let asked = 0;
/** Sends `message` (with an id the answer echoes) and resolves with the answer of `type`. */
export function ask(child, message, type) {
  const id = ++asked;
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== type || (message && m.id !== id)) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    if (message) child.send({ ...message, id });
  });
}

/** Runs `task` over `items` with at most `width` at once. */
export async function pool(items, width, task) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}
