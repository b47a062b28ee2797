/**
 * Rollouts where IDC is full by design (issue: "a rollout never stalls on a full member while the
 * fleet has room"). The demo's `web` — 40 × 4 CPU, placed 16/16/8 with both IDC members at 64 of
 * 64 CPU — rolled out with maxUnavailable 0: surge only fits in cloud-1, so the stalled IDC
 * members lend replicas there, and failback brings them home afterwards. The fleet-wide bounds are
 * judged on every member ReplicaSet and pod change; the Placement is watched to see the loans.
 */
import { describe, expect, it } from "@jest/globals";
import { AppsV1Api } from "@kubernetes/client-node";
import { placementKind, type FederatedDeploymentSpec, type Placement } from "@spillway/api";
import { Informer, ResourceClient } from "@spillway/kit";
import { placementName } from "@spillway/rules";
import { kubeConfigFor, testImage } from "./env.ts";
import { federatedDeployment, setImage as setFederatedImage } from "./federated-workloads.ts";
import { watchFleetBounds } from "./fleet-bounds.ts";
import { eventually } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { MEMBERS, rolloutServices } from "./rollout-services.ts";

const HOME = { "idc-1": 16, "idc-2": 16, "cloud-1": 8 };

describe("fleet-root: a rollout never stalls on a full IDC while the fleet has room", () => {
  const host = kubeConfigFor("host");
  // Failback after 2 s of room instead of 2 minutes, so the loans come home within the test.
  const svc = rolloutServices("borrow", ["--failback-hold-down=2", "--failover-grace=600"]);
  const { fds, ns } = svc;
  const placements = new ResourceClient<Placement>(host, placementKind);

  /** `replicas` pods of `requests` (also their limits), maxUnavailable 0. */
  const create = (
    name: string,
    replicas: number,
    requests: Record<string, string>,
    maxSurge: number | string,
    spec: Partial<FederatedDeploymentSpec> = {},
  ) =>
    fds.create(
      federatedDeployment({
        namespace: ns,
        name,
        replicas,
        requests,
        limits: true,
        spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable: 0 } }, ...spec },
      }),
    );

  const placed = async (name: string) => {
    const p = await placements.get({ namespace: ns, name: placementName("FederatedDeployment", name) });
    return Object.fromEntries(p.spec.clusters.map((c) => [c.name, c.replicas]));
  };

  /** Rolled out to `image` and every member Deployment at what the Placement gives it. */
  const settled = (name: string, image: string, replicas: number, home: Record<string, number>, timeoutMs = 300_000) =>
    eventually(
      `${name} rolled out to ${image} and placed ${JSON.stringify(home)}`,
      async () => {
        const fd = await fds.get({ namespace: ns, name });
        const s = fd.status;
        const done =
          s?.observedGeneration === fd.metadata.generation &&
          s?.updatedReplicas === replicas &&
          s?.availableReplicas === replicas &&
          s?.replicas === replicas &&
          s?.conditions?.find((c) => c.type === "Progressing")?.reason === "NewReplicaSetAvailable";
        if (!done || JSON.stringify(await placed(name)) !== JSON.stringify(home)) return undefined;
        for (const m of MEMBERS) {
          const d = await kubeConfigFor(m)
            .makeApiClient(AppsV1Api)
            .readNamespacedDeployment({ namespace: ns, name })
            .catch(() => undefined);
          const want = home[m] ?? 0;
          if ((d?.spec?.replicas ?? 0) !== want || (want > 0 && d?.spec?.template.spec?.containers[0]?.image !== image)) return undefined;
          if (want > 0 && d?.status?.availableReplicas !== want) return undefined;
        }
        return fd;
      },
      timeoutMs,
      500,
    );

  /** The most replicas each member was placed while this runs: a loan shows as more than home. */
  const watchPlacement = async (name: string) => {
    const peak: Record<string, number> = {};
    const informer = new Informer<Placement>(host, {
      path: `/apis/spillway.dev/v1alpha1/namespaces/${ns}/placements`,
      list: () => placements.list(),
    });
    informer.addHandler((_t, p) => {
      if (p.metadata.namespace !== ns || p.spec.workloadRef.name !== name) return;
      for (const c of p.spec.clusters) peak[c.name] = Math.max(peak[c.name] ?? 0, c.replicas);
    });
    await informer.start();
    await informer.hasSynced();
    return { peak, stop: () => informer.stop() };
  };

  const setImage = (name: string, image: string) => setFederatedImage(fds, ns, name, image);

  it.each([
    ["maxSurge 25%", 50, "25%"],
    ["maxSurge 1", 41, 1],
  ] as const)(
    "%s, maxUnavailable 0 on the demo's full IDC: completes by lending to cloud-1, never more than %i replicas in the members' ReplicaSets (Σ spec.replicas) nor fewer than 40 ready pods, and comes home",
    async (_label, maxPods, maxSurge) => {
      const name = maxSurge === 1 ? "web-one" : "web";
      await create(name, 40, { cpu: "4" }, maxSurge);
      await settled(name, testImage(1), 40, HOME);
      const bounds = await watchFleetBounds(MEMBERS, ns, name);
      const placement = await watchPlacement(name);
      await setImage(name, testImage(2));
      await settled(name, testImage(2), 40, HOME);
      const seen = await bounds.stop();
      await placement.stop();
      expect(seen.changes).toBeGreaterThan(40);
      expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(maxPods);
      expect(seen.minReady).toBeGreaterThanOrEqual(40);
      // The IDC members lent replicas to cloud-1 (the only member with room), and got them back.
      expect(placement.peak["cloud-1"]).toBeGreaterThan(8);
      expect(await placed(name)).toEqual(HOME);
      // What an operator reads: `kubectl describe` shows the loan, the member Deployments scaled
      // for it, and the failback home, as a Deployment shows its ScalingReplicaSet events.
      const described = await eventually("the loan and its return in kubectl describe", async () => {
        const r = await kubectl("host", ["describe", "federateddeployment", name, "-n", ns]);
        return /Normal\s+FailedBack\s/.test(r.stdout) ? r.stdout : undefined;
      });
      expect(described).toMatch(/Normal\s+Lent\s+.+\s+spillway\.dev\/scheduler\s+.*idc-\d 16→\d+.*lent by idc-\d for the rollout/);
      expect(described).toMatch(
        /Normal\s+ScalingMember\s+.+\s+spillway\.dev\/fleet-root\s+Scaled member Deployments?: .*cloud-1 up from 8 to \d+/,
      );
      expect(described).toMatch(
        /Normal\s+ScalingMember\s+.+\s+spillway\.dev\/fleet-root\s+Scaled member Deployments?: .*idc-\d down from 16 to \d+/,
      );
      expect(described).toMatch(/Normal\s+FailedBack\s+.+\s+spillway\.dev\/scheduler\s+.*failback: \+\d+ from cloud-1/);
    },
  );

  it("a GPU workload whose IDC GPUs are all taken borrows cloud GPUs and comes home", async () => {
    // One 8-GPU node per IDC member: 8 + 8, nothing in cloud; maxSurge 25% = 4.
    const home = { "idc-1": 8, "idc-2": 8 };
    await create("llm", 16, { cpu: "1", "nvidia.com/gpu": "1" }, "25%");
    await settled("llm", testImage(1), 16, home);
    const bounds = await watchFleetBounds(MEMBERS, ns, "llm");
    const placement = await watchPlacement("llm");
    await setImage("llm", testImage(2));
    await settled("llm", testImage(2), 16, home);
    const seen = await bounds.stop();
    await placement.stop();
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(20);
    expect(seen.minReady).toBeGreaterThanOrEqual(16);
    expect(placement.peak["cloud-1"]).toBeGreaterThan(0);
  });

  it("fleet-root killed mid-loan resumes from what it observes: nothing lent twice or left behind", async () => {
    await create("crash", 40, { cpu: "4" }, "25%");
    await settled("crash", testImage(1), 40, HOME);
    const bounds = await watchFleetBounds(MEMBERS, ns, "crash");
    const placement = await watchPlacement("crash");
    await setImage("crash", testImage(2));
    await eventually("a loan to cloud-1", async () => ((placement.peak["cloud-1"] ?? 0) > 8 ? true : undefined), 120_000, 100);
    await svc.killFleetRoot();
    await svc.startFleetRoot("borrow-fr-2");
    await settled("crash", testImage(2), 40, HOME);
    const seen = await bounds.stop();
    await placement.stop();
    expect(seen.maxReplicaSetReplicas).toBeLessThanOrEqual(50);
    expect(seen.minReady).toBeGreaterThanOrEqual(40);
  });

  it("when no member has room the rollout waits, says what is short where, and exceeds its progress deadline", async () => {
    // Every GPU in the fleet: 8 + 8 in IDC, 16 in cloud-1.
    const home = { "idc-1": 8, "idc-2": 8, "cloud-1": 16 };
    await create("gpus", 32, { cpu: "100m", "nvidia.com/gpu": "1" }, 1, { progressDeadlineSeconds: 10 });
    await settled("gpus", testImage(1), 32, home);
    const bounds = await watchFleetBounds(MEMBERS, ns, "gpus");
    await setImage("gpus", testImage(2));
    const progressing = async () =>
      (await fds.get({ namespace: ns, name: "gpus" })).status?.conditions?.find((c) => c.type === "Progressing");
    const waiting = await eventually("the rollout waiting for room", async () => {
      const c = await progressing();
      return c?.reason === "WaitingForRoom" ? c : undefined;
    });
    expect(waiting.message).toMatch(
      /^no eligible member has room for a pod of the new template: idc-1, idc-2, cloud-1: needs 1 nvidia.com\/gpu per replica/,
    );
    const exceeded = await eventually(
      "ProgressDeadlineExceeded",
      async () => {
        const c = await progressing();
        return c?.reason === "ProgressDeadlineExceeded" ? c : undefined;
      },
      30_000,
    );
    expect(exceeded.status).toBe("False");
    expect(exceeded.message).toMatch(/^rollout waited longer than 10s for room/);
    const seen = await bounds.stop();
    // Nothing moved: no surge pod was made anywhere, no old pod removed.
    expect(seen.maxReplicaSetReplicas).toBe(32);
    expect(seen.minReady).toBe(32);
    expect(await placed("gpus")).toEqual(home);
  });
});
