import { describe, expect, it } from "@jest/globals";
import { memberFixture } from "@spillway/kit/testing";
import type { DependencyObject, DependencyRef } from "@spillway/rules";
import { CachedCopies, CachedHostObjects, type DependencyCaches, type HostObjects } from "./dependency-sight.ts";

const cache = <T>(objects: Array<T & { metadata: { name: string; namespace: string } }>) => ({
  get: (name: string, namespace?: string) => objects.find((o) => o.metadata.name === name && o.metadata.namespace === namespace),
  list: (namespace?: string) => objects.filter((o) => o.metadata.namespace === namespace),
});
const object = (kind: string, name: string, extra: object = {}) =>
  ({ apiVersion: "v1", kind, metadata: { name, namespace: "shop" }, ...extra }) as DependencyObject & {
    metadata: { name: string; namespace: string };
  };
const none = cache<DependencyObject>([]);

describe("the gate's look from the follower's caches", () => {
  it("answers the host's sources from the cache, and reads from the host only what the cache lacks", async () => {
    const asked: string[] = [];
    const api: HostObjects = {
      read: async (_ns, ref) => (asked.push(`${ref.kind}/${ref.name}`), object(ref.kind, ref.name)),
      services: async () => (asked.push("list Services"), []),
    };
    const web = object("Service", "web", { spec: { selector: { app: "web" } } });
    const sources = {
      ConfigMap: cache([object("ConfigMap", "cfg")]),
      Secret: none,
      ServiceAccount: none,
      PersistentVolumeClaim: none,
      Service: cache([web]),
    } as DependencyCaches["sources"];
    const host = new CachedHostObjects(sources, api);
    expect(await host.services("shop")).toEqual([web]);
    expect((await host.read("shop", { kind: "ConfigMap", name: "cfg" }))?.metadata?.name).toBe("cfg");
    // Created a moment ago: not in the cache yet, so the host is asked.
    expect((await host.read("shop", { kind: "Secret", name: "new" } as DependencyRef))?.metadata?.name).toBe("new");
    expect(asked).toEqual(["Secret/new"]);
  });

  it("takes a cached copy as Spillway's; anything else (absent, or the member's own) is read from the member", async () => {
    const asked: string[] = [];
    const member = memberFixture("idc-1");
    const copies = {
      ConfigMap: { cache: (c: string) => (c === "idc-1" ? cache([object("ConfigMap", "cfg")]) : undefined) },
    } as unknown as DependencyCaches["copies"];
    const look = new CachedCopies(copies, { read: async (_m, ref) => (asked.push(ref.name), { managed: false }) });
    const ref = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name });
    expect(await look.read(member, ref("cfg"))).toEqual({ managed: true });
    expect(await look.read(member, ref("theirs"))).toEqual({ managed: false });
    expect(await look.read(memberFixture("idc-2"), ref("cfg"))).toEqual({ managed: false });
    expect(asked).toEqual(["theirs", "cfg"]);
  });
});
