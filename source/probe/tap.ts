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
}

export class TapDuplex extends Duplex {
  constructor(
    private readonly raw: net.Socket,
    private readonly observer: TapObserver,
  ) {
    super({ allowHalfOpen: false });
    raw.on('data', (bytes: Buffer) => {
      observer.onData('in', bytes);
      if (!this.push(bytes)) raw.pause();
    });
    raw.on('end', () => {
      observer.onEnd('EOF');
      this.push(null);
    });
    raw.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') observer.onEnd('RST', error);
      this.destroy(error);
    });
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
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
    this.raw.destroy();
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
