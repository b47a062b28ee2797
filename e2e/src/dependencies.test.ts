/**
 * Everything a workload needs follows it (ADR 0009), on the testbed's real members: the
 * ConfigMaps, Secrets, ServiceAccount (and its image pull secret) and Service of a
 * FederatedDeployment exist in every member that runs it, before its Deployment is created there
 * (judged on the member's own watch: each copy's creation revision precedes the Deployment's);
 * they follow a spill to cloud and leave when it drains back; the host object is the source, a
 * copy edited in a member is put back; a member's own object of the same name is never
 * overwritten and keeps the workload out of that member until it is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { Informer, kubeRequest, updateObject } from "@spillway/kit";
import { kubeConfigFor, type ClusterRole } from "./env.ts";
import { federatedDeployment } from "./federated-workloads.ts";
import { eventually } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { rolloutServices } from "./rollout-services.ts";

const SECRET_VALUE = "s3cr3t-never-logged";
const IDC_AUTH = '{"auths":{"registry.idc.example":{}}}';
const CLOUD_AUTH = '{"auths":{"mirror.cloud.example":{}}}';
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("dependencies follow their workloads into members", () => {
  // Failback within seconds: a member freed of its conflict gets the workload back in the test's time.
  const svc = rolloutServices("deps", ["--failback-hold-down=2"]);
  const { fds, ns } = svc;
  const core = (role: ClusterRole) => kubeConfigFor(role).makeApiClient(CoreV1Api);
  const apps = (role: ClusterRole) => kubeConfigFor(role).makeApiClient(AppsV1Api);
  const managed = { "spillway.dev/managed-by": "dependencies" };

  beforeAll(async () => {
    const host = core("host");
    await host.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "web-config" }, data: { greeting: "hello" } } });
    await host.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "web-secret" }, type: "Opaque", data: { password: b64(SECRET_VALUE) } },
    });
    // Cloud pulls from its own mirror: its copy of the registry Secret is overridden there.
    await host.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name: "registry",
          annotations: {
            "spillway.dev/overrides": JSON.stringify([
              {
                clusterSelector: { matchLabels: { "spillway.dev/tier": "cloud" } },
                patches: [{ op: "replace", path: "/data/.dockerconfigjson", value: b64(CLOUD_AUTH) }],
              },
            ]),
          },
        },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": b64(IDC_AUTH) },
      },
    });
    await host.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: "web" }, imagePullSecrets: [{ name: "registry" }] },
    });
    await host.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
    });
  });

  const web = (replicas: number) => {
    const fd = federatedDeployment({
      namespace: ns,
      name: "web",
      replicas,
      requests: { cpu: "100m" },
      // Two fit in idc-1; the rest spills to cloud-1 (IDC first).
      spec: { placement: { clusterNames: ["idc-1", "cloud-1"], clusters: [{ name: "idc-1", maxReplicas: 2 }] } },
    });
    const pod = fd.spec.template.spec!;
    pod.serviceAccountName = "web";
    pod.volumes = [{ name: "config", configMap: { name: "web-config" } }];
    pod.containers[0]!.envFrom = [{ secretRef: { name: "web-secret" } }];
    return fd;
  };

  const copiesIn = async (role: ClusterRole) => {
    const c = core(role);
    const names = async (list: Promise<{ items: Array<{ metadata?: { name?: string; labels?: Record<string, string> } }> }>) =>
      (await list).items.filter((o) => o.metadata?.labels?.["spillway.dev/managed-by"] === "dependencies").map((o) => o.metadata!.name!);
    return {
      configMaps: await names(c.listNamespacedConfigMap({ namespace: ns })),
      secrets: (await names(c.listNamespacedSecret({ namespace: ns }))).sort(),
      accounts: await names(c.listNamespacedServiceAccount({ namespace: ns })),
      services: await names(c.listNamespacedService({ namespace: ns })),
    };
  };
  const everything = { configMaps: ["web-config"], secrets: ["registry", "web-secret"], accounts: ["web"], services: ["web"] };
  const nothing = { configMaps: [], secrets: [], accounts: [], services: [] };
  const deploymentIn = async (role: ClusterRole, name = "web") =>
    apps(role)
      .readNamespacedDeployment({ namespace: ns, name })
      .then((d) => d)
      .catch(() => undefined);

  /** Creation revisions of every object added in a member's namespace, by `kind/name`, from its own watches. */
  const creations = (role: ClusterRole) => {
    const kc = kubeConfigFor(role);
    const seen = new Map<string, number>();
    const informers = ["configmaps", "secrets", "serviceaccounts", "services"]
      .map((r): [string, string] => [`/api/v1/namespaces/${ns}/${r}`, r])
      .concat([[`/apis/apps/v1/namespaces/${ns}/deployments`, "deployments"]])
      .map(([path, resource]) => {
        const i = new Informer<{ metadata?: { name?: string; resourceVersion?: string } }>(kc, {
          path,
          list: () => kubeRequest(kc, { path, what: `${resource} of ${role}` }) as never,
        });
        i.addHandler((type, o) => {
          const key = `${resource}/${o.metadata?.name}`;
          if (type === "add" && !seen.has(key)) seen.set(key, Number(o.metadata?.resourceVersion));
        });
        void i.start();
        return i;
      });
    return { seen, stop: () => Promise.all(informers.map((i) => i.stop())) };
  };

  const watched: Array<{ stop: () => Promise<unknown> }> = [];
  afterAll(async () => {
    await Promise.all(watched.map((w) => w.stop()));
  });

  it("copies them before the workload's pods, follows a spill to cloud and the drain back, and removes them with the workload", async () => {
    const cloud = creations("cloud-1");
    watched.push(cloud);
    await fds.create(web(2));
    await eventually("web in idc-1 with its dependencies", async () =>
      (await deploymentIn("idc-1")) && JSON.stringify(await copiesIn("idc-1")) === JSON.stringify(everything) ? true : undefined,
    );
    expect(await copiesIn("cloud-1")).toEqual(nothing);
    expect(await copiesIn("idc-2")).toEqual(nothing);

    // The copies are the sources' content, with the member's own addresses.
    const hostSvc = await core("host").readNamespacedService({ namespace: ns, name: "web" });
    const copySvc = await core("idc-1").readNamespacedService({ namespace: ns, name: "web" });
    expect(copySvc.spec?.selector).toEqual({ app: "web" });
    expect(copySvc.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(copySvc.metadata?.uid).not.toBe(hostSvc.metadata?.uid);
    expect((await core("idc-1").readNamespacedServiceAccount({ namespace: ns, name: "web" })).imagePullSecrets).toEqual([
      { name: "registry" },
    ]);
    expect((await core("idc-1").readNamespacedSecret({ namespace: ns, name: "web-secret" })).data).toEqual({ password: b64(SECRET_VALUE) });

    // Spill: 4 replicas, 2 fit in idc-1, 2 go to cloud-1 — whose copies must be there first.
    await updateObject(fds, { namespace: ns, name: "web" }, (fd) => ({ ...fd, spec: { ...fd.spec, replicas: 4 } }));
    await eventually("web spilled to cloud-1", () => deploymentIn("cloud-1"));
    expect(await copiesIn("cloud-1")).toEqual(everything);
    // Each member's copy of the registry Secret is its tier's.
    const auth = async (m: ClusterRole) =>
      Buffer.from(
        (await core(m).readNamespacedSecret({ namespace: ns, name: "registry" })).data![".dockerconfigjson"]!,
        "base64",
      ).toString();
    expect([await auth("idc-1"), await auth("cloud-1")]).toEqual([IDC_AUTH, CLOUD_AUTH]);
    const deployedAt = await eventually("cloud-1's watch saw the Deployment", async () => cloud.seen.get("deployments/web"));
    for (const key of ["configmaps/web-config", "secrets/web-secret", "secrets/registry", "serviceaccounts/web", "services/web"]) {
      expect([key, cloud.seen.get(key)! < deployedAt]).toEqual([key, true]);
    }

    // The host object is the source: an edit there reaches every copy; an edit of a copy is put back.
    const source = await core("host").readNamespacedConfigMap({ namespace: ns, name: "web-config" });
    await core("host").replaceNamespacedConfigMap({
      namespace: ns,
      name: "web-config",
      body: { ...source, data: { greeting: "bonjour" } },
    });
    await eventually("the edit reached both members", async () => {
      const data = await Promise.all(
        ["idc-1", "cloud-1"].map((m) => core(m as ClusterRole).readNamespacedConfigMap({ namespace: ns, name: "web-config" })),
      );
      return data.every((d) => d.data?.greeting === "bonjour") ? true : undefined;
    });
    const edited = await core("cloud-1").readNamespacedConfigMap({ namespace: ns, name: "web-config" });
    await core("cloud-1").replaceNamespacedConfigMap({
      namespace: ns,
      name: "web-config",
      body: { ...edited, data: { greeting: "edited by hand", extra: "x" } },
    });
    await eventually("the hand edit was put back", async () => {
      const cm = await core("cloud-1").readNamespacedConfigMap({ namespace: ns, name: "web-config" });
      return JSON.stringify(cm.data) === JSON.stringify({ greeting: "bonjour" }) ? true : undefined;
    });

    // Drain back: cloud-1's copies leave once no workload there needs them; idc-1 keeps them.
    await updateObject(fds, { namespace: ns, name: "web" }, (fd) => ({ ...fd, spec: { ...fd.spec, replicas: 2 } }));
    await eventually(
      "cloud-1 emptied of web and its dependencies",
      async () =>
        !(await deploymentIn("cloud-1")) && JSON.stringify(await copiesIn("cloud-1")) === JSON.stringify(nothing) ? true : undefined,
      90_000,
    );
    expect(await copiesIn("idc-1")).toEqual(everything);

    // Deleted: nothing left in any member.
    await fds.delete({ namespace: ns, name: "web" });
    await eventually("every copy gone with the workload", async () =>
      JSON.stringify(await copiesIn("idc-1")) === JSON.stringify(nothing) ? true : undefined,
    );

    // Secrets are never logged (nor their base64).
    for (const p of [svc.fleetRoot()]) {
      expect(p.output()).not.toContain(SECRET_VALUE);
      expect(p.output()).not.toContain(b64(SECRET_VALUE));
    }
  });

  it("never overwrites a member's own object of the same name, keeps the workload out of that member and says so, then goes on once it is gone", async () => {
    await core("host").createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "shared-name" }, data: { from: "host" } } });
    await core("idc-2")
      .createNamespace({ body: { metadata: { name: ns } } })
      .catch(() => undefined);
    await core("idc-2").createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "shared-name" }, data: { from: "idc-2 itself" } },
    });
    // idc-2 ranks first of the two members the workload may use.
    const fd = federatedDeployment({
      namespace: ns,
      name: "blocked",
      replicas: 1,
      requests: { cpu: "100m" },
      spec: { placement: { clusterNames: ["idc-2", "cloud-1"] } },
    });
    fd.spec.template.spec!.volumes = [{ name: "c", configMap: { name: "shared-name" } }];
    await fds.create(fd);
    const reported = await eventually("the conflict is reported", async () => {
      const c = (await fds.get({ namespace: ns, name: "blocked" })).status?.conditions?.find((x) => x.type === "DependenciesReady");
      return c?.reason === "UnmanagedDependencyExists" ? c : undefined;
    });
    expect(reported.status).toBe("False");
    expect(reported.message).toContain(`ConfigMap ${ns}/shared-name in idc-2`);
    expect((await fds.get({ namespace: ns, name: "blocked" })).status?.dependencyConflicts).toEqual([
      { name: "idc-2", objects: ["ConfigMap/shared-name"] },
    ]);
    // And as a warning in kubectl describe, saying what to do.
    const described = await eventually("the warning in kubectl describe", async () => {
      const r = await kubectl("host", ["describe", "federateddeployment", "blocked", "-n", ns]);
      return /Warning\s+DependencyConflict/.test(r.stdout) ? r.stdout : undefined;
    });
    expect(described).toMatch(
      /Warning\s+DependencyConflict\s+.+\s+spillway\.dev\/fleet-root\s+idc-2 holds ConfigMap\/shared-name of its own: the workload stays out of idc-2/,
    );
    // Kept out of idc-2: the scheduler places it in cloud-1, where it runs.
    await eventually(
      "blocked runs in cloud-1",
      async () => ((await deploymentIn("cloud-1", "blocked"))?.status?.readyReplicas === 1 ? true : undefined),
      60_000,
    );
    const placed = (await kubeRequest(kubeConfigFor("host"), {
      path: `/apis/spillway.dev/v1alpha1/namespaces/${ns}/placements/federateddeployment-blocked`,
      what: "the Placement of blocked",
    })) as { spec: { clusters: Array<{ name: string; replicas: number }> } };
    expect(placed.spec.clusters.map((c) => [c.name, c.replicas])).toEqual([["cloud-1", 1]]);
    expect(await deploymentIn("idc-2", "blocked")).toBeUndefined();
    const theirs = await core("idc-2").readNamespacedConfigMap({ namespace: ns, name: "shared-name" });
    expect(theirs.data).toEqual({ from: "idc-2 itself" });
    expect(theirs.metadata?.labels ?? {}).not.toMatchObject(managed);

    // Resolved in the member: it is no longer kept out; failback brings the workload to idc-2,
    // Spillway's copy first.
    await core("idc-2").deleteNamespacedConfigMap({ namespace: ns, name: "shared-name" });
    await eventually("blocked runs in idc-2 with Spillway's copy", () => deploymentIn("idc-2", "blocked"), 90_000);
    const ours = await core("idc-2").readNamespacedConfigMap({ namespace: ns, name: "shared-name" });
    expect(ours.data).toEqual({ from: "host" });
    expect(ours.metadata?.labels).toMatchObject(managed);
    await eventually("DependenciesReady is True and no member is kept out", async () => {
      const s = (await fds.get({ namespace: ns, name: "blocked" })).status;
      return s?.conditions?.find((x) => x.type === "DependenciesReady")?.status === "True" && !s.dependencyConflicts ? true : undefined;
    });
  });
});
