// The upstream for bench/proxy-attack.mjs: counts the requests that reach it
// and those whose client went away before the answer; /slow answers after
// 300 ms (an upstream a cancelled request would keep busy). IPC: {type:'count'}.
import http from 'node:http';

let started = 0;
let aborted = 0;
const body = Buffer.from('{"ok":true}\n');
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  started++;
  let done = false;
  res.on('close', () => {
    if (!done) aborted++;
  });
  const answer = () => {
    done = true;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  };
  req.resume();
  req.on('end', () => (req.url?.startsWith('/slow') ? setTimeout(answer, 300) : answer()));
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'count') process.send({ type: 'count', id: m.id, started, aborted });
  if (m.type === 'reset') {
    started = 0;
    aborted = 0;
    process.send({ type: 'count', id: m.id, started, aborted });
  }
});
