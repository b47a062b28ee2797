/**
 * Schema builders for Kubernetes structural schemas.
 *
 * TypeBox gives every schema a static TypeScript type, so the CRD manifests and the types the
 * services compile against come from the same object and cannot drift. These builders cover the
 * shapes Kubernetes needs that plain JSON Schema spells differently (int-or-string, string enums
 * without `const`, maps as `additionalProperties`, opaque embedded objects).
 */
import { Type, type ObjectOptions, type Static, type TProperties, type TSchema, type TUnsafe } from "@sinclair/typebox";

/** One CEL rule for `x-kubernetes-validations`. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Extra keys a Kubernetes structural schema may carry beside the JSON Schema ones. */
export interface KubeSchemaOptions extends ObjectOptions {
  "x-kubernetes-validations"?: CelRule[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
}

/** An object schema with Kubernetes extensions (CEL rules, preserve-unknown-fields...). */
export function KObject<T extends TProperties>(properties: T, options: KubeSchemaOptions = {}) {
  return Type.Object(properties, options);
}

/** A string restricted to the given values (Kubernetes schemas have `enum`, not `const`). */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}

/** `intstr.IntOrString`, e.g. maxSurge: 1 or "25%". */
export function IntOrString(options: Record<string, unknown> = {}): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({ "x-kubernetes-int-or-string": true, ...options });
}

/** `resource.Quantity`: "500m", "64Gi" or a plain number. */
export function Quantity(options: Record<string, unknown> = {}): TUnsafe<number | string> {
  return IntOrString({
    pattern: "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    ...options,
  });
}

/** A string-keyed map, emitted as `additionalProperties` as structural schemas require. */
export function StringMap<T extends TSchema>(value: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({
    type: "object",
    additionalProperties: value,
    ...options,
  });
}

/**
 * An embedded object whose schema is owned elsewhere (a pod template, a metric spec): the API
 * server keeps every field, and the static type is the one the caller names.
 */
export function Opaque<T>(options: Record<string, unknown> = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: "object", "x-kubernetes-preserve-unknown-fields": true, ...options });
}

/**
 * The same schema with its own description: a shared shape (a label selector, a reference) means
 * something different in each place it is used, and `kubectl explain` shows the description of
 * the place.
 */
export function Described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** `corev1.ResourceList`: resource name to quantity. */
export const ResourceList = () => StringMap(Quantity());
