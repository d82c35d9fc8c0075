// The data plane of one Gateway. Usage:
//   const dp = new Dataplane({ bindAddress: '127.0.0.1', accessLog: (line) => ..., onPortMap: (map) => ... });
//   await dp.update(ir);   // atomic swap; resolves once every port serves `ir` ({ version, ports, applyMs, errors })
//   dp.ports();            // where each IR port is actually served (port+8000 when < 1024 and EACCES)
//   await dp.drain(5000);  // SIGTERM: stop accepting, let in-flight requests finish, close
//   await dp.close();      // stop now
export { Dataplane, type DataplaneOptions, type PortStatus, type UpdateResult } from './dataplane.js';
export { formatAccessLog, parseLogfmt, type AccessLogEntry, type ResponseFlag } from './access-log.js';
export { parseClientHello, type ClientHelloInfo, type ClientHelloParse } from './client-hello.js';
