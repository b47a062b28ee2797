/** API errors as kubectl prints them: `Error from server (NotFound): … not found`. */
import { ApiException } from "@kubernetes/client-node";

export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    let body: { reason?: string; message?: string } | undefined;
    try {
      body = typeof err.body === "string" ? (JSON.parse(err.body) as typeof body) : (err.body as typeof body);
    } catch {
      body = undefined;
    }
    if (body?.message) return `Error from server (${body.reason ?? err.code}): ${body.message}`;
    return `Error from server (HTTP ${err.code})`;
  }
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === "ECONNREFUSED") return `error: the server could not be reached (${e.message ?? code})`;
  return `error: ${e.message ?? String(err)}`;
}

export const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;
