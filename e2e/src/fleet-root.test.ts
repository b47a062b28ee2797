/**
 * The federated rollout against the testbed (real kube-controller-manager in every member, kwok
 * pods Ready ~2 s after they start): 24 replicas over three members, watched while the template
 * changes; the fleet-wide bounds of ONE Deployment must hold at every change, and the
 * rollout must finish — also when fleet-root is killed mid-rollout, and when a member's API server
 * goes away mid-rollout.
 */
import { describe, expect, it } from "@jest/globals";
import { AppsV1Api } from "@kubernetes/client-node";
import { Bus, topics, type RolloutProgress } from "@spillway/bus";
import { updateObject } from "@spillway/kit";
import { testbedDir, ProcessTable } from "@spillway/testbed";
import { kubeConfigFor, natsUrl, type ClusterRole, testImage } from "./env.ts";
import { federatedDeployment, setImage as setFederatedImage } from "./federated-workloads.ts";
import { createNamespace, eventually } from "./helpers.ts";
import { itOnLocalTestbed } from "./local-testbed.ts";
import { watchFleetBounds } from "./fleet-bounds.ts";
import { partition } from "./partition.ts";
import { MEMBERS, rolloutServices } from "./rollout-services.ts";
import { metricValue } from "./service-process.ts";

describe("fleet-root: federated rolling update", () => {
  // A long failover grace keeps the placement still while a member is briefly unreachable.
  const svc = rolloutServices("roll", ["--failover-grace=600"]);
  const { fds, ns } = svc;

  const create = (name: string, strategy: { maxSurge: number | string; maxUnavailable: number | string }) =>
    fds.create(
      federatedDeployment({
        namespace: ns,
        name,
        replicas: 24,
        requests: { cpu: "500m" },
        spec: {
          strategy: { type: "RollingUpdate", rollingUpdate: strategy },
          // Eight per member, so the rollout really spans three clusters.
          placement: { clusters: MEMBERS.map((m) => ({ name: m, maxReplicas: 8 })) },
        },
      }),
    );

  const settled = (name: string, image: string) =>
    eventually(
      `${name} rolled out to ${image}`,
      async () => {
        const fd = await fds.get({ namespace: ns, name });
        const s = fd.status;
        const progressing = s?.conditions?.find((c) => c.type === "Progressing");
        return s?.observedGeneration === fd.metadata.generation &&
          s?.updatedReplicas === 24 &&
          s?.availableReplicas === 24 &&
          s?.replicas === 24 &&
          progressing?.reason === "NewReplicaSetAvailable"
          ? fd
          : undefined;
      },
      240_000,
      250,
    );

  const setImage = (name: string, image: string) => setFederatedImage(fds, ns, name, image);

  const membersRun = async (name: string, image: string) => {
    for (const m of MEMBERS) {
      const d = await kubeConfigFor(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: ns, name });
      expect(d.spec!.template.spec!.containers[0]!.image).toBe(image);
      expect(d.spec!.replicas).toBe(8);
      expect(d.spec!.paused ?? false).toBe(false);
    }
  };

  it.each([
    ["maxUnavailable 1, maxSurge 0", 24, 23, "unavail", { maxSurge: 0, maxUnavailable: 1 }],
    ["maxSurge 25%, maxUnavailable 0", 30, 24, "surge", { maxSurge: "25%", maxUnavailable: 0 }],
  ] as const)(
    "%s: never more than %i replicas in the members' ReplicaSets (Σ spec.replicas) nor fewer than %i ready pods across the fleet, and it finishes (and rolls back)",
    async (_label, maxPods, minReady, name, strategy) => {
      await create(name, strategy);
      await settled(name, testImage(1));
      const s = await watchFleetBounds(MEMBERS, ns, name);
      await setImage(name, testImage(2));
      await settled(name, testImage(2));
      const seen = await s.stop();
      expect(seen.changes).toBeGreaterThan(10);
      expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(maxPods);
      expect(seen.minReady).toBeGreaterThanOrEqual(minReady);
      await membersRun(name, testImage(2));
      // Rollback: the template set back converges the same way.
      const back = await watchFleetBounds(MEMBERS, ns, name);
      await setImage(name, testImage(1));
      await settled(name, testImage(1));
      const seenBack = await back.stop();
      expect(seenBack.maxReplicaSetReplicas).toBeLessThanOrEqual(maxPods);
      expect(seenBack.minReady).toBeGreaterThanOrEqual(minReady);
    },
  );

  const generations = async (name: string, clusters: ClusterRole[]) =>
    Promise.all(
      clusters.map(
        async (m) =>
          (await kubeConfigFor(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: ns, name })).metadata!.generation,
      ),
    );

  /** Creates `name`, lets it settle on app:1, starts sampling, and returns once `updated` pods run app:2. */
  const rolloutUnderWay = async (name: string, strategy: Parameters<typeof create>[1], updated: number) => {
    await create(name, strategy);
    await settled(name, testImage(1));
    const s = await watchFleetBounds(MEMBERS, ns, name);
    await setImage(name, testImage(2));
    await eventually(
      "rollout under way",
      async () => ((await fds.get({ namespace: ns, name })).status?.updatedReplicas ?? 0) >= updated || undefined,
      60_000,
      100,
    );
    return s;
  };

  /** Waits until `name`'s status counts `cluster` as unreachable, and returns that object. */
  const reportedUnreachable = (name: string, cluster: ClusterRole) =>
    eventually(
      `${cluster} reported unreachable in ${name}'s status`,
      async () => {
        const fd = await fds.get({ namespace: ns, name });
        return fd.status?.clusters?.find((c) => c.name === cluster)?.reachable === false ? fd : undefined;
      },
      60_000,
      200,
    );

  it("resumes without breaking a bound when fleet-root is killed mid-rollout", async () => {
    const s = await rolloutUnderWay("crash", { maxSurge: "25%", maxUnavailable: 0 }, 4);
    await svc.killFleetRoot();
    await svc.startFleetRoot("fr-2");
    await settled("crash", testImage(2));
    const seen = await s.stop();
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(30);
    expect(seen.minReady).toBeGreaterThanOrEqual(24);
  });

  // A member may hold a share of the budget that a restarted fleet-root cannot see until it has
  // listed that member; handing that share out elsewhere would break the bound.
  it("after a restart, changes no member until it has seen every member of the placement", async () => {
    const s = await rolloutUnderWay("blind", { maxSurge: "25%", maxUnavailable: 0 }, 4);
    await svc.killFleetRoot();
    const heal = await partition("cloud-1");
    try {
      const before = await generations("blind", ["idc-1", "idc-2"]);
      await svc.startFleetRoot("fr-3");
      // Reconciling, and honest about the member it cannot see once the gateway reports it down.
      await reportedUnreachable("blind", "cloud-1");
      expect(await metricValue(svc.fleetRoot(), "spillway_reconcile_total")).toBeGreaterThan(1);
      expect(await generations("blind", ["idc-1", "idc-2"])).toEqual(before);
    } finally {
      await heal();
    }
    await settled("blind", testImage(2));
    const seen = await s.stop();
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(30);
    expect(seen.minReady).toBeGreaterThanOrEqual(24);
  });

  it("refuses to take over an unmanaged Deployment, honours paused, publishes progress, and deletes its member objects", async () => {
    // Someone else's Deployment of the same name in cloud-1: left alone, reported by name.
    const cloudApps = kubeConfigFor("cloud-1").makeApiClient(AppsV1Api);
    await createNamespace("cloud-1", ns).catch(() => {});
    await cloudApps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: "owned" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "theirs" } },
          template: { metadata: { labels: { app: "theirs" } }, spec: { containers: [{ name: "c", image: testImage(1) }] } },
        },
      },
    });
    const bus = await Bus.connect({ servers: natsUrl, name: "e2e-rollout" });
    const events: RolloutProgress[] = [];
    bus.subscribe(topics.rollout, (e) => {
      if (e.namespace === ns && e.name === "owned") events.push(e);
    });
    try {
      await create("owned", { maxSurge: 1, maxUnavailable: 0 });
      const conflict = await eventually(
        "MemberConflict",
        async () => {
          const c = (await fds.get({ namespace: ns, name: "owned" })).status?.conditions?.find((x) => x.type === "MemberConflict");
          return c?.status === "True" ? c : undefined;
        },
        60_000,
        250,
      );
      expect(conflict.message).toMatch(/not managed by Spillway in cloud-1/);
      const theirs = await cloudApps.readNamespacedDeployment({ namespace: ns, name: "owned" });
      expect([theirs.spec!.template.spec!.containers[0]!.name, theirs.spec!.replicas]).toEqual(["c", 1]);
      expect(theirs.metadata!.labels?.["spillway.dev/managed-by"]).toBeUndefined();
      await eventually("progress published", async () => (events.some((e) => e.updatedReplicas >= 16) ? true : undefined), 60_000, 250);

      // Paused: a template change is not rolled out; every managed member is paused.
      await updateObject(fds, { namespace: ns, name: "owned" }, (latest) => ({ ...latest, spec: { ...latest.spec, paused: true } }));
      await setImage("owned", testImage(2));
      const paused = await eventually(
        "Progressing paused",
        async () => {
          const o = await fds.get({ namespace: ns, name: "owned" });
          const pausedNow = o.status?.conditions?.find((c) => c.type === "Progressing")?.reason === "DeploymentPaused";
          return pausedNow && o.status?.observedGeneration === o.metadata.generation ? o : undefined;
        },
        30_000,
        250,
      );
      for (const m of ["idc-1", "idc-2"] as const) {
        const d = await kubeConfigFor(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: ns, name: "owned" });
        expect(d.spec!.paused).toBe(true);
      }
      expect(paused.status!.updatedReplicas).toBe(0);
    } finally {
      await bus.close();
    }
    // Deleting the FederatedDeployment removes the member Deployments it manages, and only those.
    await fds.delete({ namespace: ns, name: "owned" });
    await eventually(
      "member Deployments removed",
      async () => {
        for (const m of ["idc-1", "idc-2"] as const) {
          const gone = await kubeConfigFor(m)
            .makeApiClient(AppsV1Api)
            .readNamespacedDeployment({ namespace: ns, name: "owned" })
            .then(
              () => false,
              () => true,
            );
          if (!gone) return undefined;
        }
        return true;
      },
      60_000,
      250,
    );
    // Theirs is untouched: its own container and selector, not fleet-root's.
    const left = await cloudApps.readNamespacedDeployment({ namespace: ns, name: "owned" });
    expect([left.spec!.template.spec!.containers[0]!.name, left.spec!.selector.matchLabels]).toEqual(["c", { app: "theirs" }]);
    await cloudApps.deleteNamespacedDeployment({ namespace: ns, name: "owned" });
    // The work-queue series an operator reads to tell a slow API server from a backed-up queue.
    expect(await metricValue(svc.fleetRoot(), "spillway_reconcile_total")).toBeGreaterThan(0);
    expect(await metricValue(svc.fleetRoot(), "spillway_workqueue_queue_duration_seconds_count")).toBeGreaterThan(0);
    expect(await metricValue(svc.fleetRoot(), "spillway_workqueue_work_duration_seconds_count")).toBeGreaterThan(0);
  });

  // Taking a member's API server down needs the local testbed's process table.
  itOnLocalTestbed(
    "holds within the budget while a member is unreachable and resumes when it is back",
    async () => {
      const s = await rolloutUnderWay("outage", { maxSurge: 0, maxUnavailable: 1 }, 2);
      const table = new ProcessTable(testbedDir);
      await table.stopOne("cloud-1-kube-apiserver");
      try {
        // cloud-1's 8 pods count as unavailable: below the minimum of 23, so nothing may start there.
        const held = await reportedUnreachable("outage", "cloud-1");
        expect(held.status!.availableReplicas).toBeLessThanOrEqual(16);
        expect(held.status!.unavailableReplicas).toBeGreaterThanOrEqual(8);
        expect(held.status!.conditions!.find((c) => c.type === "Available")).toMatchObject({
          status: "False",
          reason: "MinimumReplicasUnavailable",
        });
      } finally {
        table.restart("cloud-1-kube-apiserver");
      }
      await settled("outage", testImage(2));
      const seen = await s.stop();
      expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(24);
      expect(seen.minReady).toBeGreaterThanOrEqual(23);
    },
    "cloud-1-kube-apiserver",
  );
});
