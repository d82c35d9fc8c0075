// Certificates for the workload tests: a CA, server certificates per name and a client certificate, as files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueCertificate, type IssuedCertificate } from '../../source/pki/index.js';

export interface Fixtures {
  dir: string;
  ca: IssuedCertificate;
  otherCa: IssuedCertificate;
  files: Record<string, string>;
  client: IssuedCertificate;
  strangerClient: IssuedCertificate;
  cleanup(): void;
}

export function makeFixtures(serverNames: string[]): Fixtures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-workload-tls-'));
  const ca = issueCertificate({ subject: '/O=Workshop/CN=test-ca' });
  const otherCa = issueCertificate({ subject: '/O=Other/CN=other-ca' });
  const files: Record<string, string> = {};
  const write = (name: string, text: string, mode = 0o644) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode });
    files[name] = file;
  };
  write('ca.crt', ca.certPem);
  serverNames.forEach((name, index) => {
    // Alternate issuers so a test can tell the certificates apart by issuer too.
    const issued = issueCertificate({ subject: `/CN=${name}/O=vhost-${index}`, subjectAltNames: [name], issuer: index % 2 ? otherCa : ca, usage: 'server' });
    write(`${name}.crt`, issued.certPem);
    write(`${name}.key`, issued.keyPem, 0o600);
  });
  const client = issueCertificate({ subject: '/CN=gateway-client/O=Workshop', issuer: ca, usage: 'client' });
  const strangerClient = issueCertificate({ subject: '/CN=stranger', issuer: otherCa, usage: 'client' });
  return { dir, ca, otherCa, files, client, strangerClient, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
