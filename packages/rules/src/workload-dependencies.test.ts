import { describe, expect, it } from "@jest/globals";
import { selectingServices, serviceAccountDependencies, templateDependencies, type PodSpecRefs } from "./workload-dependencies.ts";

describe("templateDependencies", () => {
  it.each<[string, PodSpecRefs | undefined, string[]]>([
    ["no template", undefined, []],
    ["a bare container", { containers: [{}] }, []],
    [
      "env valueFrom",
      { containers: [{ env: [{ valueFrom: { configMapKeyRef: { name: "cfg" } } }, { valueFrom: { secretKeyRef: { name: "pw" } } }] }] },
      ["ConfigMap/cfg", "Secret/pw"],
    ],
    [
      "envFrom in an init container",
      { initContainers: [{ envFrom: [{ configMapRef: { name: "a" } }, { secretRef: { name: "b" } }] }] },
      ["ConfigMap/a", "Secret/b"],
    ],
    [
      "volumes of every kind",
      {
        volumes: [
          { configMap: { name: "c" } },
          { secret: { secretName: "s" } },
          { projected: { sources: [{ configMap: { name: "pc" } }, { secret: { name: "ps" } }] } },
          { persistentVolumeClaim: { claimName: "data" } },
        ],
      },
      ["ConfigMap/c", "ConfigMap/pc", "PersistentVolumeClaim/data", "Secret/ps", "Secret/s"],
    ],
    ["image pull secrets", { imagePullSecrets: [{ name: "registry" }] }, ["Secret/registry"]],
    ["a named ServiceAccount", { serviceAccountName: "web" }, ["ServiceAccount/web"]],
    ["the deprecated spelling", { serviceAccount: "old" }, ["ServiceAccount/old"]],
    ["the member's default account is its own", { serviceAccountName: "default" }, []],
    [
      "a name used twice is one dependency",
      { containers: [{ envFrom: [{ configMapRef: { name: "x" } }] }], volumes: [{ configMap: { name: "x" } }] },
      ["ConfigMap/x"],
    ],
  ])("%s", (_name, spec, expected) => {
    expect(templateDependencies(spec).map((r) => `${r.kind}/${r.name}`)).toEqual(expected);
  });
});

describe("serviceAccountDependencies", () => {
  it("names the account's image pull secrets", () => {
    expect(serviceAccountDependencies({ imagePullSecrets: [{ name: "reg" }, {}] })).toEqual([{ kind: "Secret", name: "reg" }]);
    expect(serviceAccountDependencies(undefined)).toEqual([]);
  });
});

describe("selectingServices", () => {
  const svc = (name: string, selector?: Record<string, string>) => ({ metadata: { name }, spec: { ...(selector ? { selector } : {}) } });
  it.each<[string, Record<string, string> | undefined, string[]]>([
    ["a subset selector matches", { app: "web", tier: "front" }, ["Service/web"]],
    ["a different value does not", { app: "api" }, []],
    ["no labels, nothing selects", undefined, []],
  ])("%s", (_n, labels, expected) => {
    const services = [svc("web", { app: "web" }), svc("manual"), svc("empty", {}), svc("both", { app: "web", tier: "back" })];
    expect(selectingServices(services, labels).map((r) => `${r.kind}/${r.name}`)).toEqual(expected);
  });
});
