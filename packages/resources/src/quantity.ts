/**
 * Kubernetes `resource.Quantity` strings as integers in a chosen unit: CPU in millicores, memory
 * and storage in bytes, extended resources in whole units. Fractions round up, as the API server
 * does when it canonicalises a quantity to the unit (a request of 0.1m CPU is 1m).
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** The value of `q` in base units (cores, bytes, units), or throws naming the bad quantity. */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") {
    if (!Number.isFinite(q)) throw new Error(`invalid quantity ${q}`);
    return q;
  }
  const m = PATTERN.exec(q.trim());
  if (!m) throw new Error(`invalid quantity ${JSON.stringify(q)}`);
  const [, num, suffix, exponent] = m;
  const base = Number(num);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  return base * (BINARY[suffix ?? ""] ?? DECIMAL[suffix ?? ""]!);
}

/** Rounds up to an integer count of `unit` (1e-3 for millicores, 1 for bytes or units). */
export function toUnits(q: string | number, unit: number): number {
  const v = parseQuantity(q) / unit;
  // Float noise (0.1 / 0.001 = 100.00000000000001) must not cost a whole extra milli.
  const rounded = Math.round(v);
  return Math.abs(v - rounded) < 1e-9 * Math.max(1, Math.abs(v)) ? rounded : Math.ceil(v);
}

export const milliCpu = (q: string | number) => toUnits(q, 1e-3);
export const bytes = (q: string | number) => toUnits(q, 1);
