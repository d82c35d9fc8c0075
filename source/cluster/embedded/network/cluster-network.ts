// Picks this cluster's 127.N block once and keeps it. Homes claim their octet
// in a shared directory under the OS temp dir (exclusive create), so two homes
// on one machine never take the same N; a claim whose home is gone is reused.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../../../state/atomic-write.js';
import type { ClusterNetwork } from './network.js';

const MIN_OCTET = 16;
const MAX_OCTET = 250;

function claimsDir(): string {
  return path.join(os.tmpdir(), `agw-workshop-octets-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

/** Whether addresses beyond 127.0.0.1 can be bound (Linux: yes; macOS: only with aliases). */
function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

function tryClaim(octet: number, home: string): boolean {
  const file = path.join(claimsDir(), String(octet));
  try {
    fs.writeFileSync(file, home, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    const owner = fs.readFileSync(file, 'utf8');
    if (owner === home) return true;
    // A claim by a home that no longer has a cluster directory is stale.
    if (!fs.existsSync(path.join(owner, 'cluster', 'network.json'))) {
      fs.writeFileSync(file, home);
      return true;
    }
    return false;
  }
}

export async function ensureNetwork(clusterDir: string, home: string): Promise<ClusterNetwork> {
  const file = path.join(clusterDir, 'network.json');
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterNetwork;
    if (Number.isInteger(saved.octet)) {
      tryClaim(saved.octet, home);
      return saved;
    }
  } catch {
    // first start (or an unreadable file): choose again
  }
  fs.mkdirSync(claimsDir(), { recursive: true, mode: 0o700 });
  let octet = MIN_OCTET + Math.floor(Math.random() * (MAX_OCTET - MIN_OCTET + 1));
  for (let i = 0; i <= MAX_OCTET - MIN_OCTET; i++) {
    const candidate = MIN_OCTET + ((octet - MIN_OCTET + i) % (MAX_OCTET - MIN_OCTET + 1));
    if (tryClaim(candidate, home)) {
      octet = candidate;
      break;
    }
  }
  const loopbackRange = await canBind(`127.${octet}.1.1`);
  const network: ClusterNetwork = { octet, loopbackRange };
  writeFileAtomicSync(file, JSON.stringify(network) + '\n');
  return network;
}
