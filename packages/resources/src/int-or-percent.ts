/**
 * `intstr.IntOrString` budgets resolved against a total, with the Deployment controller's rounding:
 * maxSurge rounds up, maxUnavailable rounds down (apimachinery GetScaledValueFromIntOrPercent).
 */
export function resolveIntOrPercent(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
  fallback: number | string,
): number {
  const v = value ?? fallback;
  if (typeof v === "number") return v;
  const pct = Number(v.replace("%", ""));
  if (!Number.isFinite(pct)) throw new Error(`invalid int-or-percent ${JSON.stringify(v)}`);
  const raw = (pct * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}
