// Binding a server, once for the workloads and the gateway proxy: resolves with
// the port really bound (port 0 → the one the system chose), rejects with the
// bind's own error, and leaves no 'error'/'listening' handler of its own behind.
import type net from 'node:net';

export function listen(server: net.Server, options: net.ListenOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.removeListener('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : (options.port ?? 0));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}
