// One request/response through the proxy: the downstream pair, what the
// access log will say about it, and the hooks that abort the upstream side
// when the client goes away or the route's timeout fires.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AccessLog, AccessLogEntry, ResponseFlag } from './access-log.js';
import type { HeaderRecord } from './request-filters.js';
import type { HttpRouteEntryIR } from '../ir/types.js';
import type { ExchangeObserver } from '../tracing/request-tracing.js';

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;
export type DownstreamResponse = ServerResponse | Http2ServerResponse;

export class Exchange {
  readonly entry: AccessLogEntry;
  readonly start = performance.now();
  /** Response header modifiers of the matched route, applied to upstream and local answers alike. */
  responseHeaderEdits: readonly ((headers: HeaderRecord) => void)[] = [];
  private aborters: ((reason: Error) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private logged = false;
  /** True once the proxy itself decided the outcome (timeout, local answer). */
  settled = false;
  /** The matched route entry, once routing chose one. */
  route: HttpRouteEntryIR | undefined;
  /** Set by tracing on a sampled request: sees the AI request body and the response chunks. */
  observer: ExchangeObserver | undefined;

  constructor(
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
    entry: AccessLogEntry,
    private readonly log: AccessLog,
  ) {
    this.entry = entry;
    res.once('close', () => this.onClose());
  }

  flag(flag: ResponseFlag): void {
    if (!this.entry.flags.includes(flag)) this.entry.flags.push(flag);
  }

  onAbort(fn: (reason: Error) => void): void {
    this.aborters.push(fn);
  }

  private abortUpstream(reason: Error): void {
    const fns = this.aborters;
    this.aborters = [];
    for (const fn of fns) {
      try {
        fn(reason);
      } catch {
        // an upstream already gone is fine
      }
    }
  }

  /** `timeouts.request`: answer 504 if nothing was sent yet, else cut the response. */
  startTimeout(ms: number): void {
    this.timer = setTimeout(() => {
      if (this.logged) return;
      this.flag('UT');
      this.settled = true;
      this.abortUpstream(new Error(`request timeout after ${ms} ms`));
      if (!this.res.headersSent) this.sendLocal(504, 'upstream request timeout\n');
      else this.res.destroy();
    }, ms);
  }

  /** A local answer (404, 503, redirects…), unless a response is already under way. */
  sendLocal(status: number, body: string, headers: HeaderRecord = {}, flag?: ResponseFlag): void {
    if (flag) this.flag(flag);
    if (this.res.headersSent || this.res.destroyed) return;
    const out: HeaderRecord = { 'content-type': 'text/plain; charset=utf-8', ...headers };
    // The proxy's own answers say why, as the access log does, so a client can tell which hop failed.
    if (this.entry.flags.length) out['x-agw-response-flags'] = this.entry.flags.join(',');
    for (const edit of this.responseHeaderEdits) edit(out);
    out['content-length'] = String(Buffer.byteLength(body));
    try {
      (this.res as ServerResponse).writeHead(status, out);
      this.res.end(body);
    } catch (error) {
      this.entry.error ??= (error as Error).message;
      this.res.destroy();
    }
  }

  /**
   * Why the downstream went away before the response was complete, or
   * undefined when it was. On HTTP/2 the compat response reports
   * writableFinished even after the client's RST_STREAM, so the stream's own
   * reset code decides (0 is NO_ERROR, our own normal close).
   */
  private downstreamGone(): string | undefined {
    const stream = (this.res as Http2ServerResponse).stream as (Http2ServerResponse['stream'] & { rstCode?: number }) | undefined;
    if (stream && stream.rstCode !== undefined && stream.rstCode !== 0) return `downstream reset the stream (RST_STREAM code ${stream.rstCode})`;
    return this.res.writableFinished ? undefined : 'downstream closed';
  }

  private onClose(): void {
    if (this.timer) clearTimeout(this.timer);
    const gone = this.downstreamGone();
    if (gone) {
      if (!this.settled) {
        this.flag('DC');
        this.entry.message ??= gone;
      }
      this.abortUpstream(new Error(gone));
    }
    this.writeLog();
  }

  private writeLog(): void {
    if (this.logged) return;
    this.logged = true;
    this.entry.status = this.res.headersSent ? this.res.statusCode : 0;
    this.entry.durationMs = Math.round((performance.now() - this.start) * 10) / 10;
    this.log.write(this.entry);
  }
}
