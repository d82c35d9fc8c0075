// A Duplex between the TCP socket and whoever speaks over it (node:tls or
// undici). node:tls reads a net.Socket through its native handle, bypassing
// JavaScript, so a listener on the socket would never see the handshake; in
// between, this stream sees every byte both ways, plus how the peer closed.
import type net from 'node:net';
import { Duplex } from 'node:stream';

export interface TapObserver {
  onData(direction: 'out' | 'in', bytes: Buffer): void;
  /** The peer closed: FIN (EOF) or a reset. */
  onEnd(how: 'EOF' | 'RST', error?: NodeJS.ErrnoException): void;
  /**
   * Optional: what of the peer's bytes the consumer gets now; whatever it
   * keeps back is handed on later with `TapDuplex.deliver` (the gateway holds
   * a client's certificate flight until it has checked the certificate).
   */
  admitInbound?(bytes: Buffer): Buffer | undefined;
}

export class TapDuplex extends Duplex {
  private detached = false;
  /** What this stream listens to on the socket, so `detach` can take exactly that off again. */
  private readonly relays: { data(bytes: Buffer): void; end(): void; error(error: NodeJS.ErrnoException): void; close(): void };

  constructor(
    private readonly raw: net.Socket,
    private readonly observer: TapObserver,
  ) {
    super({ allowHalfOpen: false });
    this.relays = {
      data: (bytes: Buffer) => {
        observer.onData('in', bytes);
        const admitted = observer.admitInbound ? observer.admitInbound(bytes) : bytes;
        if (admitted?.length) this.deliver(admitted);
      },
      end: () => {
        observer.onEnd('EOF');
        this.push(null);
      },
      error: (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') observer.onEnd('RST', error);
        this.destroy(error);
      },
      close: () => {
        if (!this.destroyed) this.destroy();
      },
    };
    raw.on('data', this.relays.data);
    raw.on('end', this.relays.end);
    raw.on('error', this.relays.error);
    raw.on('close', this.relays.close);
  }

  /**
   * Stops relaying: the socket is the caller's from now on, and destroying
   * this stream no longer touches it (the gateway, having sent an alert,
   * closes the socket its own way).
   */
  detach(): net.Socket {
    this.detached = true;
    this.raw.removeListener('data', this.relays.data);
    this.raw.removeListener('end', this.relays.end);
    this.raw.removeListener('error', this.relays.error);
    this.raw.removeListener('close', this.relays.close);
    return this.raw;
  }

  /** Hands the peer's bytes to the consumer (pausing the socket while it is full). */
  deliver(bytes: Buffer): void {
    if (!this.push(bytes)) this.raw.pause();
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observer.onData('out', chunk);
    this.raw.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.detached) this.raw.destroy();
    callback(error);
  }

  // undici and node:tls call these on what they believe is a net.Socket.
  ref(): this {
    this.raw.ref();
    return this;
  }

  unref(): this {
    this.raw.unref();
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.raw.setKeepAlive(enable, delay);
    return this;
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.raw.setTimeout(ms, callback);
    return this;
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }

  get localAddress(): string | undefined {
    return this.raw.localAddress;
  }

  get localPort(): number | undefined {
    return this.raw.localPort;
  }
}
