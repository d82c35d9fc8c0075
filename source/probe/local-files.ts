// The probe's own files (--cacert, --cert/--key), loaded before any network
// work, with failures attributed as curl does: 77 for the CA file, 58 for the
// client certificate or key.
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { splitPemBundle } from '../pki/inspect.js';
import { summarizeDer } from './certificates.js';
import type { CertificateSummary, ProbeRequest } from './types.js';

export class LocalFileError extends Error {
  constructor(
    readonly kind: 'ca' | 'client-certificate',
    message: string,
  ) {
    super(message);
    this.name = 'LocalFileError';
  }
}

export interface TlsContext {
  secureContext: tls.SecureContext;
  /** The configured client certificate (--cert), when any. */
  clientCertificate?: CertificateSummary;
}

async function read(file: string, kind: LocalFileError['kind']): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new LocalFileError(kind, `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export async function loadTlsContext(request: ProbeRequest): Promise<TlsContext> {
  let ca: string | undefined;
  if (request.caFile) {
    ca = await read(request.caFile, 'ca');
    // node ignores a CA bundle without certificates (trusting nothing); curl refuses it.
    if (splitPemBundle(ca).length === 0) throw new LocalFileError('ca', `${request.caFile}: no PEM certificate in the CA file`);
  }
  const cert = request.certFile ? await read(request.certFile, 'client-certificate') : undefined;
  // curl reads the key from the certificate file when --key is absent.
  const key = request.keyFile ? await read(request.keyFile, 'client-certificate') : cert;
  try {
    return {
      secureContext: tls.createSecureContext({
        ca,
        cert,
        key: cert ? key : undefined,
        minVersion: request.tlsMinVersion ?? 'TLSv1.2',
        maxVersion: request.tlsMaxVersion ?? 'TLSv1.3',
      }),
      clientCertificate: cert ? summarizeDer(Buffer.from(cert)) : undefined,
    };
  } catch (error) {
    throw new LocalFileError('client-certificate', `${request.certFile ?? ''}${request.keyFile ? ` / ${request.keyFile}` : ''}: ${(error as Error).message}`);
  }
}
