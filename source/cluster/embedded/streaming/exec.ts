// `kubectl exec` over WebSocket (v5.channel.k8s.io, v4, and v1 channel.k8s.io).
// A pod here is a process on this machine, not a container, so the command
// runs on this machine beside the pod: spawned without a shell, with the
// environment the kubelet gives that container and in the pod's directory.
// Its output goes back on channels 1/2, channel 0 feeds its stdin, and when
// it ends the kubelet's Status goes on channel 3 before a normal close.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../apiserver/api-error.js';
import { PodRuntime } from '../kubelet/pod-runtime.js';
import type { KubeObject } from '../store/store-types.js';
import {
  chooseProtocol, CLOSE, DEFAULT_PROTOCOL, ERROR, errorChannelPayload, EXEC_PROTOCOLS, execFailedStatus, exitCodeStatus, frame,
  parseExecOptions, RESIZE, startFailure, STDERR, STDIN, STDOUT, successStatus, type ExecOptions, type ExecProtocol, type ExecStatus,
} from './exec-channels.js';
import { headerTokens, rejectUpgrade, type StreamingRequest } from './upgrade.js';

/** After SIGTERM, a command that outlives its client gets this long before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Once the command has exited, output still held by a process it left behind is waited for this long. */
const OUTPUT_GRACE_MS = 2000;
/** Output is paused while this much is queued for the client. */
const HIGH_WATER = 1 << 20;

interface ExecTarget {
  options: ExecOptions;
  env: Record<string, string>;
  cwd: string;
}

let server: WebSocketServer | undefined;
/** Commands still running, killed if the cluster process exits (they are not the kubelet's to stop). */
const running = new Set<ChildProcess>();

function webSocketServer(): WebSocketServer {
  if (!server) {
    server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => chooseProtocol(offered) ?? false });
    process.once('exit', () => {
      for (const child of running) signalGroup(child, 'SIGKILL');
    });
  }
  return server;
}

export function handleExec(request: StreamingRequest): void {
  const { ctx, req, socket, head } = request;
  let target: ExecTarget;
  try {
    target = execTarget(request);
  } catch (error) {
    return rejectUpgrade(socket, error, ctx.log);
  }
  webSocketServer().handleUpgrade(req, socket, head, (ws) => runCommand(ws, target, (ws.protocol || DEFAULT_PROTOCOL) as ExecProtocol, ctx.log));
}

/** Everything that can refuse the request does so here, before the upgrade, with the API server's messages. */
function execTarget({ req, pod, query }: StreamingRequest): ExecTarget {
  const options = parseExecOptions(query);
  const name = pod.metadata.name;
  // The API server checks the container before anything reaches the node, whatever the protocol.
  const container = containerName(pod, options.container);
  if (!headerTokens(req.headers.upgrade).some((token) => token.toLowerCase() === 'websocket')) {
    throw ApiError.badRequest(`exec is served over WebSocket (${EXEC_PROTOCOLS.join(', ')}), as kubectl ≥ 1.30 does; SPDY is not supported by the embedded cluster`);
  }
  const offered = headerTokens(req.headers['sec-websocket-protocol']);
  if (offered.length && !chooseProtocol(offered)) throw ApiError.badRequest(`none of the offered subprotocols (${offered.join(', ')}) is supported; use one of ${EXEC_PROTOCOLS.join(', ')}`);
  if (!options.command.length) throw ApiError.badRequest('you must specify at least one command for the container');
  if (!options.stdin && !options.stdout && !options.stderr) throw ApiError.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const runtime = PodRuntime.launchedPod(pod.metadata.uid ?? '');
  if (!runtime?.containers.find((c) => c.spec.name === container)?.state.running) {
    throw ApiError.badRequest(`unable to upgrade connection: container not found ("${container}")`);
  }
  let environment: ReturnType<PodRuntime['execEnvironment']>;
  try {
    environment = runtime.execEnvironment(pod, container);
  } catch (error) {
    throw new ApiError(500, 'InternalError', `Internal error occurred: the environment of container ${container} of pod ${name}: ${(error as Error).message}`);
  }
  if (!environment) throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  return { options, ...environment };
}

/** The container the command runs beside, chosen as the API server does (registry/core/pod streamLocation). */
function containerName(pod: KubeObject, asked: string | undefined): string {
  const names = ((pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
  const name = pod.metadata.name;
  if (asked !== undefined) {
    if (!names.includes(asked)) throw ApiError.badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (names.length === 1) return names[0]!;
  if (!names.length) throw ApiError.badRequest(`a container name must be specified for pod ${name}`);
  throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
}

/** Signals the command and whatever it started (it leads its own process group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone; the process itself may not be
  }
}

function exitStatusOf(command: string[], code: number | null, signal: NodeJS.Signals | null): ExecStatus {
  // A command killed by a signal reports 128+N, as a container runtime does.
  const exitCode = code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 0);
  return exitCode === 0 ? successStatus() : exitCodeStatus(command, exitCode);
}

function runCommand(ws: WebSocket, { options, env, cwd }: ExecTarget, protocol: ExecProtocol, log: (line: string) => void): void {
  const [file, ...args] = options.command as [string, ...string[]];
  let finished = false;
  const paused = new Set<Readable>();
  const afterSend = () => {
    if (ws.bufferedAmount > HIGH_WATER / 2) return;
    for (const stream of paused) stream.resume();
    paused.clear();
  };
  const send = (channel: number, payload?: Uint8Array) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(channel, payload), { binary: true }, afterSend);
  };
  const finish = (status: ExecStatus) => {
    if (finished) return;
    finished = true;
    const payload = errorChannelPayload(protocol, status);
    if (payload) send(ERROR, payload);
    ws.resume();
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  ws.on('error', (error) => log(`api: exec: ${error.message}`));

  // As the kubelet does: an empty message on the lowest writable channel says the streams are ready.
  send(options.stdout ? STDOUT : options.stderr ? STDERR : ERROR);

  if (!fs.existsSync(cwd)) return finish(execFailedStatus(`the pod's directory ${cwd} does not exist`));
  // tty=true gets no pseudo-terminal here: the command runs the same way, with pipes (so no prompt
  // editing or job control), and its stderr joins stdout as it would on a terminal.
  const wantStderr = options.stderr || options.tty;
  const child = spawn(file, args, {
    cwd,
    env,
    // stdin not asked for is /dev/null: the command reads end-of-file at once.
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', wantStderr ? 'pipe' : 'ignore'],
    detached: true, // its own process group, so a client that goes away takes the whole command with it
  });
  running.add(child);
  let exited = false;

  const pump = (stream: Readable | null, channel: number) => {
    stream?.on('data', (chunk: Buffer) => {
      send(channel, chunk);
      if (ws.bufferedAmount > HIGH_WATER) {
        stream.pause();
        paused.add(stream);
      }
    });
  };
  pump(child.stdout, STDOUT);
  pump(child.stderr, options.stderr && !options.tty ? STDERR : STDOUT);

  const stdin = child.stdin;
  stdin?.on('error', () => ws.resume()); // the command stopped reading (EPIPE): later input is dropped
  const endStdin = () => {
    if (stdin && !stdin.writableEnded) stdin.end();
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDIN:
        if (!stdin || stdin.writableEnded || stdin.destroyed || !payload.length) return;
        if (!stdin.write(payload)) {
          ws.pause();
          stdin.once('drain', () => ws.resume());
        }
        return;
      case CLOSE:
        if (protocol === 'v5.channel.k8s.io' && payload[0] === STDIN) endStdin();
        return;
      case RESIZE:
        return; // no terminal to resize
      default:
        return;
    }
  });

  child.once('error', (error: NodeJS.ErrnoException) => {
    exited = true;
    running.delete(child);
    finish(execFailedStatus(startFailure(file, error)));
  });
  child.once('exit', (code, signal) => {
    exited = true;
    running.delete(child);
    // 'close' waits for the output pipes; a background process holding them must not hold the client forever.
    setTimeout(() => finish(exitStatusOf(options.command, code, signal)), OUTPUT_GRACE_MS).unref();
  });
  child.once('close', (code: number | null, signal: NodeJS.Signals | null) => finish(exitStatusOf(options.command, code, signal)));

  ws.once('close', () => {
    finished = true;
    endStdin();
    for (const stream of paused) stream.resume();
    if (exited) return;
    // The client went away while the command runs: stop it, as the kubelet stops an exec whose stream closed.
    // SIGKILL goes to the group even if the command itself obeyed SIGTERM: what it started may not have.
    signalGroup(child, 'SIGTERM');
    setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
  });
}
