/**
 * Turns a failure to reach a member into a condition reason and a message a human can act on.
 * The reason decides what to check: `Unreachable` (network, server down), `Unauthorized` (the
 * kubeconfig's credentials), `TLSError` (the CA in the kubeconfig), `APIServerNotReady` (the server
 * answers but says it is not ready).
 */
import type { HealthReason } from "./health.ts";

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

export interface Failure {
  reason: HealthReason;
  message: string;
}

function codes(err: unknown): { code?: string; status?: number; message: string } {
  let code: string | undefined;
  let status: number | undefined;
  const messages: string[] = [];
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const o = e as { code?: unknown; statusCode?: unknown; message?: unknown };
    if (typeof o.code === "string" && !code) code = o.code;
    if (typeof o.code === "number" && !status) status = o.code;
    if (typeof o.statusCode === "number" && !status) status = o.statusCode;
    if (typeof o.message === "string" && o.message) messages.push(o.message.split("\n")[0]!);
    if (messages.length > 4) break;
  }
  return { code, status, message: messages.join(": ") || String(err) };
}

export function classifyFailure(err: unknown, server: string): Failure {
  const { code, status, message } = codes(err);
  if (status === 401 || status === 403) {
    return {
      reason: "Unauthorized",
      message: `${server} refused the kubeconfig's credentials (HTTP ${status}); check the user in the member's kubeconfig Secret`,
    };
  }
  if (
    code &&
    (code.startsWith("CERT_") ||
      code.includes("CERT") ||
      code.includes("SELF_SIGNED") ||
      code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
      code.startsWith("ERR_TLS") ||
      code.startsWith("ERR_SSL"))
  ) {
    return {
      reason: "TLSError",
      message: `TLS handshake with ${server} failed (${code}); check certificate-authority-data in the member's kubeconfig`,
    };
  }
  if ((code && NETWORK.has(code)) || /timeout|timed out|socket hang up|ECONNREFUSED/i.test(message)) {
    return { reason: "Unreachable", message: `cannot reach ${server}: ${code ?? message}` };
  }
  if (status !== undefined) return { reason: "APIServerNotReady", message: `${server}/readyz answered HTTP ${status}` };
  return { reason: "Unreachable", message: `cannot reach ${server}: ${message}` };
}
