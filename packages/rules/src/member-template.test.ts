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
      "override patch replace /spec/nope: the path does not exist",
    );
    expect(() => applyPatch({ spec: {} }, [{ op: "add", path: "/spec/x" }])).toThrow("value is required");
    expect(() => applyPatch({ a: [1] }, [{ op: "add", path: "/a/3", value: 2 }])).toThrow(
      "override patch add /a/3: the array index is out of range",
    );
  });

  // RFC 6902 §4.3: the target location of replace MUST exist; an index equal to the length is one
  // past the end (only add may use it, §4.1). The hand-written subset appended there.
  it.each([
    ["replace at the array's length is refused", { a: [1, 2] }, [{ op: "replace" as const, path: "/a/2", value: 3 }], "error"],
    ["add at the array's length appends", { a: [1, 2] }, [{ op: "add" as const, path: "/a/2", value: 3 }], { a: [1, 2, 3] }],
    ["add at - appends", { a: [1, 2] }, [{ op: "add" as const, path: "/a/-", value: 3 }], { a: [1, 2, 3] }],
    ["add inside an array inserts", { a: [1, 2] }, [{ op: "add" as const, path: "/a/0", value: 0 }], { a: [0, 1, 2] }],
    ["replace in range replaces", { a: [1, 2] }, [{ op: "replace" as const, path: "/a/1", value: 9 }], { a: [1, 9] }],
    ["remove of a missing member is refused", { a: {} }, [{ op: "remove" as const, path: "/a/b" }], "error"],
    ["~1 and ~0 decode in keys", { m: {} }, [{ op: "add" as const, path: "/m/a~1b~0c", value: 1 }], { m: { "a/b~c": 1 } }],
  ])("%s", (_name, doc, ops, expected) => {
    if (expected === "error") expect(() => applyPatch(doc, ops)).toThrow(/^override patch /);
    else {
      applyPatch(doc, ops);
      expect(doc).toEqual(expected);
    }
  });

  it("never lets a patch reach an object's prototype", () => {
    expect(() => applyPatch({}, [{ op: "add", path: "/__proto__/polluted", value: true }])).toThrow(/^override patch add/);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
