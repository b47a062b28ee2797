import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { allKinds, crdFor } from "./crd.ts";

const crdDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "charts", "spillway", "crds");

/** Every schema node, with its path, for structural checks. */
function* walk(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== "object" || node === null) return;
  const n = node as Record<string, unknown>;
  yield [path, n];
  for (const [k, v] of Object.entries((n["properties"] as Record<string, unknown>) ?? {})) yield* walk(v, `${path}.${k}`);
  if (n["items"]) yield* walk(n["items"], `${path}[]`);
  if (typeof n["additionalProperties"] === "object") yield* walk(n["additionalProperties"], `${path}{}`);
}

/** The paths of every field (an object property), where `kubectl explain` looks for a description. */
function* fields(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== "object" || node === null) return;
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries((n["properties"] as Record<string, unknown>) ?? {})) {
    yield [`${path}.${k}`, v as Record<string, unknown>];
    yield* fields(v, `${path}.${k}`);
  }
  if (n["items"]) yield* fields(n["items"], `${path}[]`);
  if (typeof n["additionalProperties"] === "object") yield* fields(n["additionalProperties"], `${path}{}`);
}

describe("CRDs", () => {
  it.each(allKinds.map((k) => [k.kind, k] as const))(
    "%s: every field explains itself (kubectl explain shows a description)",
    (_kind, def) => {
      const schema = crdFor(def).spec.versions[0]!.schema.openAPIV3Schema;
      // metadata's schema belongs to the API server, which refuses a description there.
      const undescribed = [...fields(schema, def.kind)]
        .filter(([path]) => path !== `${def.kind}.metadata`)
        .filter(([, node]) => typeof node["description"] !== "string" || (node["description"] as string).trim().length < 3)
        .map(([path]) => path);
      expect(undescribed).toEqual([]);
      expect(typeof schema.description).toBe("string");
    },
  );

  it.each(allKinds.map((k) => [k.kind, k] as const))("%s: committed manifest matches the schema (run `pnpm generate`)", (_kind, def) => {
    const crd = crdFor(def);
    const committed = parse(readFileSync(join(crdDir, `${crd.metadata.name}.yaml`), "utf8")) as unknown;
    expect(committed).toEqual(parse(stringify(crd)));
  });

  it.each(allKinds.map((k) => [k.kind, k] as const))(
    "%s: schema is structural (typed nodes, no JSON-Schema-only keywords)",
    (_kind, def) => {
      const schema = crdFor(def).spec.versions[0]!.schema.openAPIV3Schema;
      for (const [path, node] of walk(schema, def.kind)) {
        for (const banned of ["patternProperties", "$id", "$ref", "const", "anyOf", "oneOf"]) {
          expect([path, banned, banned in node]).toEqual([path, banned, false]);
        }
        const typed =
          "type" in node || node["x-kubernetes-int-or-string"] === true || node["x-kubernetes-preserve-unknown-fields"] === true;
        expect([path, typed]).toEqual([path, true]);
      }
    },
  );

  it("gives both workload kinds the scale subresource, wired to spec.replicas and status.selector", () => {
    for (const name of ["FederatedDeployment", "FederatedStatefulSet"]) {
      const def = allKinds.find((k) => k.kind === name)!;
      expect(crdFor(def).spec.versions[0]!.subresources).toEqual({
        status: {},
        scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" },
      });
    }
  });

  it("names status fields as apps/v1 Deployment does", () => {
    const def = allKinds.find((k) => k.kind === "FederatedDeployment")!;
    const status = crdFor(def).spec.versions[0]!.schema.openAPIV3Schema.properties.status as { properties: Record<string, unknown> };
    expect(Object.keys(status.properties)).toEqual(
      expect.arrayContaining([
        "observedGeneration",
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
        "conditions",
      ]),
    );
  });
});
