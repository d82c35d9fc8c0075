// Bearer-token authentication. Health and version are public, as on a real
// cluster (system:public-info-viewer); everything else needs the token.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';

export function isPublicPath(pathname: string): boolean {
  return pathname === '/version' || /^\/(healthz|readyz|livez)(\/|$)/.test(pathname);
}

export function authenticate(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  const given = Buffer.from(m?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  }
}
