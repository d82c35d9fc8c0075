// A server-side SPDY/3.1 session over any byte Duplex (a raw upgraded socket,
// or the byte stream inside a WebSocket tunnel): the streams the client opens,
// their replies and DATA, PING echoes, one ordered write queue. Frames and
// header blocks are spdy.ts.
import { Duplex } from 'node:stream';
import { decodeHeaderBlock, encodeFrame, encodeHeaderBlock, FrameParser, HeaderZlib, MAX_DATA_CHUNK, RstStatus, type Frame, type SpdyHeaders } from './spdy.js';


/**
 * One SPDY stream the client opened: a Duplex of its DATA. `reply()` answers
 * the SYN_STREAM (before any data, as spdystream drops data on unreplied
 * streams); ending the writable side sends FIN; a RST_STREAM from the peer
 * emits 'reset' and destroys the stream.
 */
export class SpdyStream extends Duplex {
  private replied = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  reply(headers: SpdyHeaders = {}): void {
    if (this.replied) return;
    this.replied = true;
    this.session.sendReply(this.id, headers);
  }

  /** Sends RST_STREAM and drops the stream. */
  reset(status: number = RstStatus.cancel): void {
    if (this.destroyed) return;
    this.session.sendFrame({ type: 'rstStream', streamId: this.id, status });
    this.destroy();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => callback(), callback);
  }

  override _read(): void {
    this.session.relieved(this);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.session.forget(this);
    callback(error);
  }

  /** @internal DATA from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.destroyed || this.readableEnded) return;
    if (data.length && !this.push(data)) this.session.congested(this);
    if (fin) this.push(null);
  }

  /** @internal RST_STREAM from the peer. */
  receiveReset(status: number): void {
    if (this.destroyed) return;
    this.emit('reset', status);
    this.destroy();
  }
}

export interface SpdySessionEvents {
  stream: (stream: SpdyStream) => void;
  close: () => void;
}

/**
 * The server end of a SPDY/3.1 connection over `transport`. Emits 'stream'
 * for each SYN_STREAM (the handler must `reply()` or `reset()`), answers
 * PING, and closes everything when the transport ends or misbehaves.
 */
export class SpdySession {
  private readonly parser: FrameParser;
  private readonly inflater = new HeaderZlib('decompress');
  private readonly deflater = new HeaderZlib('compress');
  private readonly streams = new Map<number, SpdyStream>();
  private readonly congestedStreams = new Set<SpdyStream>();
  private readonly handlers: { [K in keyof SpdySessionEvents]: Array<SpdySessionEvents[K]> } = { stream: [], close: [] };
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goneAway = false;
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly log: (line: string) => void = () => {},
    options: { maxFrameLength?: number } = {},
  ) {
    this.parser = new FrameParser(options.maxFrameLength);
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    transport.on('end', () => this.close());
    transport.on('close', () => this.close());
    transport.on('error', (error: Error) => this.close(error));
  }

  on<K extends keyof SpdySessionEvents>(event: K, handler: SpdySessionEvents[K]): this {
    this.handlers[event].push(handler);
    return this;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Tears the connection down: every stream destroyed, the transport closed. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (error && !(error as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) this.log(`spdy: connection closed: ${error.message}`);
    for (const stream of [...this.streams.values()]) stream.destroy();
    this.streams.clear();
    this.congestedStreams.clear();
    this.inflater.close();
    this.deflater.close();
    this.transport.destroy();
    for (const handler of this.handlers.close) handler();
  }

  /** @internal */
  sendFrame(frame: Frame): Promise<void> {
    return this.enqueue(encodeFrame(frame));
  }

  /** @internal */
  sendReply(streamId: number, headers: SpdyHeaders): Promise<void> {
    if (this.closed) return Promise.resolve();
    const block = this.deflater.process(encodeHeaderBlock(headers));
    return this.enqueue(block.then((headerBlock) => encodeFrame({ type: 'synReply', streamId, fin: false, headerBlock })));
  }

  /** @internal */
  async sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    let offset = 0;
    do {
      const piece = data.subarray(offset, offset + MAX_DATA_CHUNK);
      offset += piece.length;
      await this.enqueue(encodeFrame({ type: 'data', streamId, fin: fin && offset >= data.length, data: piece }));
    } while (offset < data.length);
  }

  /** @internal A stream's reader is full: stop reading the transport until it drains. */
  congested(stream: SpdyStream): void {
    this.congestedStreams.add(stream);
    this.transport.pause();
  }

  /** @internal A stream wants more. */
  relieved(stream: SpdyStream): void {
    if (!this.congestedStreams.delete(stream)) return;
    if (this.congestedStreams.size === 0 && !this.closed) this.transport.resume();
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    this.relieved(stream);
  }

  /** Frames leave in the order they were sent (a SYN_REPLY waits for its compression). */
  private enqueue(bytes: Buffer | Promise<Buffer>): Promise<void> {
    const run = this.outbound.then(async () => {
      const frame = await bytes;
      if (this.closed || this.transport.destroyed || !this.transport.writable) return;
      if (!this.transport.write(frame)) await this.drained();
    });
    this.outbound = run.catch((error: Error) => this.close(error));
    return run;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.transport.off('drain', done);
        this.transport.off('close', done);
        resolve();
      };
      this.transport.on('drain', done);
      this.transport.on('close', done);
    });
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => (this.closed ? undefined : this.handle(frame))).catch((error: Error) => this.fail(error));
    }
  }

  /** A broken peer: say GOAWAY(protocol error) when possible, then close. */
  private fail(error: Error): void {
    if (this.closed) return;
    this.log(`spdy: ${error.message}`);
    const goAway = encodeFrame({ type: 'goAway', lastGoodStreamId: this.lastStreamId, status: 1 });
    if (this.transport.writable) this.transport.write(goAway);
    this.close();
  }

  private async handle(frame: Frame): Promise<void> {
    switch (frame.type) {
      case 'synStream': {
        // Every header block passes through the inflater, used or not: the context is shared.
        const headers = decodeHeaderBlock(await this.inflater.process(frame.headerBlock));
        if (this.closed) return;
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastStreamId) {
          void this.sendFrame({ type: 'rstStream', streamId: frame.streamId, status: RstStatus.protocolError });
          return;
        }
        this.lastStreamId = frame.streamId;
        if (this.goneAway) {
          void this.sendFrame({ type: 'rstStream', streamId: frame.streamId, status: RstStatus.refusedStream });
          return;
        }
        const stream = new SpdyStream(this, frame.streamId, headers);
        this.streams.set(frame.streamId, stream);
        if (frame.fin) stream.receive(Buffer.alloc(0), true);
        for (const handler of this.handlers.stream) handler(stream);
        if (this.handlers.stream.length === 0) stream.reset(RstStatus.refusedStream);
        return;
      }
      case 'synReply':
      case 'headers':
        decodeHeaderBlock(await this.inflater.process(frame.headerBlock));
        return;
      case 'data':
        this.streams.get(frame.streamId)?.receive(frame.data, frame.fin);
        return;
      case 'rstStream':
        this.streams.get(frame.streamId)?.receiveReset(frame.status);
        return;
      case 'ping':
        // Odd ids are the client's; even ones would answer pings this side never sends.
        if (frame.id % 2 === 1) void this.sendFrame(frame);
        return;
      case 'goAway':
        this.goneAway = true;
        return;
      case 'settings':
      case 'windowUpdate':
      case 'unknown':
        // See the note on flow control at the top.
        return;
    }
  }
}
