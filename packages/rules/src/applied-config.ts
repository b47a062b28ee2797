/**
 * Whether a server-side apply would change anything: every field of the applied configuration
 * already holds the same value in the live object. Fields the API server adds (defaults, status,
 * other managers' fields) do not count, so this needs no hand-kept list of "fields we own" — the
 * applied configuration is the list.
 */

export function appliedIn(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  // The API omits zero values (`omitempty`): `paused: false` is stored as no `paused` at all.
  if (live === undefined && isZero(desired)) return true;
  if (desired === null || typeof desired !== "object") {
    // Int-or-string fields (maxSurge) may come back as the other type of the same value.
    return desired === live || (live !== undefined && live !== null && typeof live !== "object" && String(desired) === String(live));
  }
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => appliedIn(d, live[i]));
  }
  if (live === null || typeof live !== "object" || Array.isArray(live)) return false;
  return Object.entries(desired).every(([k, v]) => appliedIn(v, (live as Record<string, unknown>)[k]));
}

function isZero(v: unknown): boolean {
  if (v === false || v === 0 || v === "" || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.values(v as object).every((x) => x === undefined || isZero(x));
}
