// The proxy's tracing, following its ConfigMap (config.ts): rebuilt when the
// configuration or the collector's address changes, shut down (flushing) when
// it goes away. The OpenTelemetry SDK is imported only once tracing is
// configured, so a proxy without tracing does not pay its load time at start;
// requests that arrive before the import finished are not traced.
import type { Attributes } from '@opentelemetry/api';
import type { Exchange } from '../dataplane/exchange.js';
import type { TranslateInput } from '../translate/input-types.js';
import { exporterUrl, MAX_TRACES_PER_SECOND, tracingConfigFor, type TracingConfig } from './config.js';
import type { RequestTracing } from './request-tracing.js';

interface Current {
  key: string;
  tracing?: RequestTracing;
  stopped?: boolean;
}

export class ConfiguredTracing {
  private current: Current | undefined;
  private lastWarnings = '';
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly gatewayNamespace: string,
    private readonly log: (line: string) => void,
    private readonly resource: Attributes = {},
  ) {}

  get tracing(): RequestTracing | undefined {
    return this.current?.tracing;
  }

  begin(ex: Exchange): void {
    this.current?.tracing?.begin(ex);
  }

  /** Reads the configuration from a snapshot; call on every snapshot. */
  configure(input: TranslateInput): void {
    const result = tracingConfigFor(input, this.gatewayNamespace);
    const config: TracingConfig | undefined = result.config;
    const warnings = result.warnings.slice();
    if (config?.protocol === 'grpc') warnings.push(`${config.source}: otlpProtocol grpc: this gateway exports OTLP/HTTP only (set otlpProtocol: http and the collector's 4318 port); tracing is off`);
    const text = warnings.join('\n');
    if (text && text !== this.lastWarnings) for (const w of warnings) this.log(`tracing: ${w}`);
    this.lastWarnings = text;
    const usable = config && config.protocol === 'http' ? config : undefined;
    const url = usable ? exporterUrl(usable.endpoint, input.services) : undefined;
    const key = usable ? JSON.stringify([url, usable.samplingRatio, usable.headers, usable.add, usable.remove]) : '';
    if (key === (this.current?.key ?? '')) return;
    const previous = this.current;
    if (previous) previous.stopped = true;
    void previous?.tracing?.shutdown();
    if (!usable || !url) {
      this.current = undefined;
      this.log('tracing: off');
      return;
    }
    const next: Current = { key };
    this.current = next;
    this.loading = import('./request-tracing.js').then(
      ({ RequestTracing, otlpHttpExporter }) => {
        if (next.stopped) return;
        next.tracing = new RequestTracing({ exporter: otlpHttpExporter(url, usable.headers), samplingRatio: usable.samplingRatio, add: usable.add, remove: usable.remove, resource: this.resource });
        this.log(`tracing: exporting spans to ${url} (OTLP/HTTP protobuf, from ${usable.source}, sampling ${usable.samplingRatio}, at most ${MAX_TRACES_PER_SECOND} traces/s)`);
      },
      (error: Error) => this.log(`tracing: could not load the OpenTelemetry SDK: ${error.message}; tracing is off`),
    );
  }

  /** Resolves once the latest configuration is live (the SDK loaded), for tests and logs. */
  settled(): Promise<void> {
    return this.loading;
  }

  async shutdown(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current) current.stopped = true;
    await current?.tracing?.shutdown();
  }
}
