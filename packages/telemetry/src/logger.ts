/**
 * Structured JSON logs with fixed keys (`service`, `controller`, `namespace`, `name`,
 * `cluster`). Anything that could hold a credential is redacted by path, so a kubeconfig or a token
 * that ends up in a logged object never reaches the log.
 */
import { pino, type Logger } from "pino";

export type { Logger };

const REDACT = [
  "*.token",
  "*.password",
  "*.kubeconfig",
  "*.clientKey",
  "*.client-key-data",
  "*.data",
  "*.stringData",
  "*.authorization",
  "*.headers.authorization",
];

export function createLogger(service: string, level = process.env["LOG_LEVEL"] ?? "info"): Logger {
  return pino({
    level,
    base: { service },
    messageKey: "msg",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: "[redacted]" },
  });
}

/** Error details for a log line: message and the cause chain, never the object's own fields. */
export function errorFields(err: unknown): { error: string; causes?: string[] } {
  if (!(err instanceof Error)) return { error: String(err) };
  const causes: string[] = [];
  for (let c: unknown = err.cause; c instanceof Error && causes.length < 5; c = c.cause) causes.push(c.message);
  return causes.length ? { error: err.message, causes } : { error: err.message };
}
