// The baseline of what Node can do: a minimal https server choosing the
// certificate with SNICallback, proxying with an undici Pool (keep-alive),
// nothing else — no routing, no policy, no access log.
// Usage: node gateway-baseline.mjs <backendPort> <certDir> <fooName> <barName>. Prints "ready <port>".
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { Pool } from 'undici';

const [backendPort, dir, fooName, barName] = process.argv.slice(2);
const context = (name) => tls.createSecureContext({ cert: fs.readFileSync(path.join(dir, `${name}.crt`)), key: fs.readFileSync(path.join(dir, `${name}.key`)) });
const contexts = new Map([[fooName, context(fooName)], [barName, context(barName)]]);
const pool = new Pool(`http://127.0.0.1:${backendPort}`, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection', 'expect']);

const server = https.createServer(
  {
    SNICallback: (name, cb) => {
      const ctx = contexts.get(name);
      if (ctx) cb(null, ctx);
      else cb(new Error(`no certificate for ${name}`));
    },
    ALPNProtocols: ['http/1.1'],
    keepAliveTimeout: 65_000,
  },
  async (req, res) => {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    try {
      const upstream = await pool.request({ method: req.method, path: req.url, headers, body: hasBody ? req : null });
      const out = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (!HOP.has(k)) out[k] = v;
      res.writeHead(upstream.statusCode, out);
      for await (const chunk of upstream.body) res.write(chunk);
      res.end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error.message));
    }
  },
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
