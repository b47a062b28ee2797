/**
 * Error classes that decide what the work queue does with a failed reconcile: a terminal error is
 * a problem only a change to the object can fix (retrying would spin), anything else is retried
 * with backoff.
 */

/** A failure that retrying cannot fix; the key is dropped until the object changes. */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
}

/** True when `err` (or an error in its `cause` chain) is terminal. */
export function isTerminal(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/** The HTTP status of a Kubernetes API error, or undefined for other errors. */
export function statusCodeOf(err: unknown): number | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown; statusCode?: unknown }).code ?? (e as { statusCode?: unknown }).statusCode;
    if (typeof code === "number") return code;
  }
  return undefined;
}

export const isNotFound = (err: unknown) => statusCodeOf(err) === 404;
export const isConflict = (err: unknown) => statusCodeOf(err) === 409;
export const isAlreadyExists = (err: unknown) => statusCodeOf(err) === 409;
