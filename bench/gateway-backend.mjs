// The backend every proxy in bench/gateway.mjs forwards to: a small fixed
// answer with Content-Length, keep-alive. Prints "ready <port>".
import http from 'node:http';

const body = Buffer.from('{"ok":true,"from":"backend"}\n');
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
