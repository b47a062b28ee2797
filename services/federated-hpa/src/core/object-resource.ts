/**
 * The resource path segment of an Object metric's described object in the custom metrics API
 * (`<plural>[.<group>]`), from its kind and apiVersion. Kubernetes' HPA asks a discovery-backed
 * REST mapper; English plurals of kind names cover every built-in and Spillway kind. Pure.
 */
export function objectResource(kind: string, apiVersion: string | undefined): string {
  const k = kind.toLowerCase();
  const plural = /(s|x|z|ch|sh)$/.test(k) ? `${k}es` : /[^aeiou]y$/.test(k) ? `${k.slice(0, -1)}ies` : `${k}s`;
  const group = apiVersion?.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return group ? `${plural}.${group}` : plural;
}
