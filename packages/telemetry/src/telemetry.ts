/**
 * OpenTelemetry for a service: metrics exposed for Prometheus on the service's own HTTP port, and
 * traces exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the option) is set. With
 * no endpoint, spans are still created (cheap) but nothing is sent anywhere.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { metrics, trace, type Meter, type Tracer } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

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

  const endpoint = options.otlpEndpoint ?? process.env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const spanProcessors = endpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, "")}/v1/traces` }) })]
    : [];
  const tracerProvider = new TracerProvider({ resource, spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);

  return {
    meter: meterProvider.getMeter(options.serviceName),
    tracer: tracerProvider.getTracer(options.serviceName),
    metricsHandler: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}
