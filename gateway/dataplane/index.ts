export { Dataplane, type DataplaneOptions, type PortStatus, type UpdateResult } from './dataplane.js';
export { formatAccessLog, parseLogfmt, type AccessLogEntry, type ResponseFlag } from './access-log.js';
export { parseClientHello, type ClientHelloInfo, type ClientHelloParse } from './client-hello.js';
