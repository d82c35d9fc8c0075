// The wire format of `pods/exec` over WebSocket, as the kubelet (and the API
// server's stream translator) speak it: subprotocol choice, one channel byte in
// front of every binary message, the query's options, and the Status sent on
// the error channel when the command ends. Pure: no sockets, no processes.

/** Channel numbers (k8s.io/apimachinery/pkg/util/remotecommand). */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** v5 only: `[255, stream]` says the client is done writing that stream. */
export const CLOSE = 255;

/** Preferred first. `channel.k8s.io` is v1: no exit codes, errors as plain text. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];
/** What the kubelet assumes when the client names no subprotocol. */
export const DEFAULT_PROTOCOL: ExecProtocol = 'channel.k8s.io';

/** The server picks its most recent protocol among those the client offers. */
export function chooseProtocol(offered: Iterable<string>): ExecProtocol | undefined {
  const set = new Set(offered);
  return EXEC_PROTOCOLS.find((protocol) => set.has(protocol));
}

export function frame(channel: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

export interface ExecOptions {
  command: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Go's strconv.ParseBool, which the API server uses for these query parameters (client-go sends "true"). */
function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}

export function parseExecOptions(query: URLSearchParams): ExecOptions {
  return {
    command: query.getAll('command'),
    container: query.get('container') || undefined,
    stdin: queryBool(query, 'stdin'),
    stdout: queryBool(query, 'stdout'),
    stderr: queryBool(query, 'stderr'),
    tty: queryBool(query, 'tty'),
  };
}

/** A metav1.Status as the kubelet marshals it onto the error channel (no kind/apiVersion). */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason?: string; message: string }> };
  code?: number;
}

export function successStatus(): ExecStatus {
  return { metadata: {}, status: 'Success' };
}

/**
 * The kubelet's answer to a command that exited non-zero; kubectl reads the
 * ExitCode cause and exits with it ("command terminated with exit code N").
 * The message is the one containerd's CRI exec gives.
 */
export function exitCodeStatus(command: string[], code: number): ExecStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** apierrors.NewInternalError("error executing command in container: ..."): kubectl prints the message and exits 1. */
export function execFailedStatus(cause: string): ExecStatus {
  const error = `error executing command in container: ${cause}`;
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${error}`, reason: 'InternalError', details: { causes: [{ message: error }] }, code: 500 };
}

/** Why a command could not be started, in the words runc uses for the same failure. */
export function startFailure(command: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return command.includes('/') ? `exec: "${command}": stat ${command}: no such file or directory` : `exec: "${command}": executable file not found in $PATH`;
  }
  if (error.code === 'EACCES') return `exec: "${command}": permission denied`;
  return `exec: "${command}": ${error.message}`;
}

/** What goes on the error channel: v4/v5 a JSON Status; v1 the failure's message only (nothing on success). */
export function errorChannelPayload(protocol: ExecProtocol, status: ExecStatus): Buffer | undefined {
  if (protocol !== DEFAULT_PROTOCOL) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? 'error');
}
