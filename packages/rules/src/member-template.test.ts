import { describe, expect, it } from "@jest/globals";
import { applyPatch, memberTemplate, templateHash, withRegistry } from "./member-template.ts";

describe("memberTemplate", () => {
  const spec = {
    template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "registry.example/data/db:1" }] } },
    overrides: [
      { clusterSelector: { matchLabels: { "spillway.dev/tier": "cloud" } }, imageRegistry: "mirror.cloud.example" },
      { clusterNames: ["cloud-1"], patches: [{ op: "add" as const, path: "/spec/template/metadata/labels/zone", value: "c1" }] },
    ],
  };

  it("applies the overrides that select the member, and only those, without touching the federated spec", () => {
    const cloud = memberTemplate(spec, { name: "cloud-1", labels: { "spillway.dev/tier": "cloud" } }) as typeof spec.template & {
      metadata: { labels: Record<string, string> };
    };
    expect(cloud.spec.containers[0]!.image).toBe("mirror.cloud.example/data/db:1");
    expect(cloud.metadata.labels).toEqual({ app: "db", zone: "c1" });
    const idc = memberTemplate(spec, { name: "idc-1", labels: { "spillway.dev/tier": "idc" } });
    expect(idc).toEqual(spec.template);
    expect(spec.template.spec.containers[0]!.image).toBe("registry.example/data/db:1");
    expect(templateHash(idc)).not.toBe(templateHash(cloud));
  });

  it.each([
    ["registry.example/shop/web:1", "mirror.io", "mirror.io/shop/web:1"],
    ["nginx:1.27", "mirror.io/", "mirror.io/nginx:1.27"],
    ["library/nginx", "mirror.io", "mirror.io/library/nginx"],
    ["localhost:5000/app", "mirror.io", "mirror.io/app"],
  ])("withRegistry(%s, %s) = %s", (image, registry, expected) => expect(withRegistry(image, registry)).toBe(expected));

  it("refuses a patch it cannot apply, naming the path", () => {
    expect(() => applyPatch({ spec: {} }, [{ op: "replace", path: "/spec/nope", value: 1 }])).toThrow(
      "override patch replace /spec/nope: nope does not exist",
    );
    expect(() => applyPatch({ spec: {} }, [{ op: "add", path: "/spec/x" }])).toThrow("value is required");
  });
});
