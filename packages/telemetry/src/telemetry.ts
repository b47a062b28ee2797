/**
 * OpenTelemetry for a service: metrics exposed for Prometheus on the service's own HTTP port, and
 * traces exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the option) is set. With
 * no endpoint, spans are still created (cheap) but nothing is sent anywhere.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { metrics, trace, type BatchObservableResult, type Meter, type Tracer } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { EventLoopDelay } from "./event-loop-delay.ts";

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  otlpEndpoint?: string;
}

export interface Telemetry {
  meter: Meter;
  tracer: Tracer;
  /** Serves the Prometheus text format; mount it on `/metrics`. */
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  shutdown(): Promise<void>;
}

export function setupTelemetry(options: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({
    "service.name": options.serviceName,
    "service.version": options.serviceVersion ?? "0.1.0",
  });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  const meter = meterProvider.getMeter(options.serviceName);
  const stopLoopDelay = observeEventLoopDelay(meter);

  const endpoint = options.otlpEndpoint ?? process.env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const spanProcessors = endpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, "")}/v1/traces` }) })]
    : [];
  const tracerProvider = new TracerProvider({ resource, spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);

  return {
    meter,
    tracer: tracerProvider.getTracer(options.serviceName),
    metricsHandler: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    async shutdown() {
      stopLoopDelay();
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

/**
 * How long the event loop was held up since the last scrape (the longest, and the 99th
 * percentile), under the names prom-client's default metrics give them (Node dashboards read
 * those). Every informer, watch and request of a service shares one thread: a stall of a few
 * hundred milliseconds is what lets a member close a watch as unresponsive or puts a fleet watch
 * event late, and it shows nowhere else.
 */
function observeEventLoopDelay(meter: Meter): () => void {
  const delay = new EventLoopDelay();
  const max = meter.createObservableGauge("nodejs_eventloop_lag_max_seconds", {
    description: "Longest event loop delay since the last scrape",
  });
  const p99 = meter.createObservableGauge("nodejs_eventloop_lag_p99_seconds", {
    description: "99th percentile of event loop delay since the last scrape",
  });
  const observe = (result: BatchObservableResult) => {
    const window = delay.takeWindow();
    if (!window) return;
    result.observe(max, window.maxSeconds);
    result.observe(p99, window.p99Seconds);
  };
  meter.addBatchObservableCallback(observe, [max, p99]);
  return () => {
    meter.removeBatchObservableCallback(observe, [max, p99]);
    delay.stop();
  };
}
