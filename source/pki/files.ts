// Writing certificates to a lab's work directory: keys 0600, certificates 0644.
import path from 'node:path';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { IssuedCertificate } from './certificates.js';

export interface WrittenCertificate {
  certFile: string;
  keyFile: string;
}

/** Writes `<dir>/<name>.crt` and `<dir>/<name>.key` (the lab texts' layout). */
export async function writeCertificateFiles(dir: string, name: string, issued: IssuedCertificate): Promise<WrittenCertificate> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await writeFileAtomic(keyFile, issued.keyPem, { mode: 0o600 });
  await writeFileAtomic(certFile, issued.certPem, { mode: 0o644 });
  return { certFile, keyFile };
}
