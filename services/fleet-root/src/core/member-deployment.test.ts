import { describe, expect, it } from "@jest/globals";
import type { FederatedDeploymentSpec } from "@spillway/api";
import { memberDeployment } from "./member-deployment.ts";

const spec: FederatedDeploymentSpec = {
  replicas: 10,
  selector: { matchLabels: { app: "web" } },
  template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "registry.example/shop/web:1.0.0" }] } },
  strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
  minReadySeconds: 5,
  overrides: [
    { clusterSelector: { matchLabels: { "spillway.dev/tier": "cloud" } }, imageRegistry: "mirror.cloud.example" },
    { clusterNames: ["cloud-1"], patches: [{ op: "add", path: "/spec/template/metadata/labels/zone", value: "c1" }] },
  ],
};
const plan = { name: "cloud-1", replicas: 4, maxSurge: 2, maxUnavailable: 1, paused: false, remove: false };

describe("memberDeployment", () => {
  it("carries the member's replicas and budget share, marks it managed, and applies the member's overrides", () => {
    const d = memberDeployment(
      { namespace: "shop", name: "web", spec },
      { name: "cloud-1", labels: { "spillway.dev/tier": "cloud" } },
      plan,
    );
    expect(d.metadata.labels).toEqual({ "spillway.dev/managed-by": "fleet-root", "spillway.dev/federated-deployment": "web" });
    expect(d.metadata.annotations["spillway.dev/federated-deployment"]).toBe("shop/web");
    expect(d.spec).toMatchObject({
      replicas: 4,
      minReadySeconds: 5,
      paused: false,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
    });
    const t = d.spec.template as { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ image: string }> } };
    expect(t.spec.containers[0]!.image).toBe("mirror.cloud.example/shop/web:1.0.0");
    expect(t.metadata.labels).toEqual({ app: "web", zone: "c1" });
  });

  it("leaves members the overrides do not select alone, and changes the template hash only with the template", () => {
    const idc = memberDeployment(
      { namespace: "shop", name: "web", spec },
      { name: "idc-1", labels: { "spillway.dev/tier": "idc" } },
      { ...plan, name: "idc-1" },
    );
    const idc2 = memberDeployment(
      { namespace: "shop", name: "web", spec },
      { name: "idc-1", labels: { "spillway.dev/tier": "idc" } },
      { ...plan, replicas: 9 },
    );
    expect((idc.spec.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image).toBe(
      "registry.example/shop/web:1.0.0",
    );
    expect(idc.metadata.annotations["spillway.dev/template-hash"]).toBe(idc2.metadata.annotations["spillway.dev/template-hash"]);
  });
});
