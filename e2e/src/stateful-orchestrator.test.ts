/**
 * FederatedStatefulSets on real members (each member's own StatefulSet controller, kube-scheduler,
 * PV controller): ordinal ranges IDC first, scale from the top, a partitioned rollout in
 * descending order across clusters, failback one ordinal at a time, a killed orchestrator, a
 * member cut off, fenced and healed. Every pod and volume-claim event of every member is judged
 * for the guarantees — no ordinal alive in two members, an ordinal's claims in one member at a
 * time, no ordinal started on a claim older than one it had elsewhere — not samples of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AppsV1Api, CoreV1Api, type V1PersistentVolumeClaim, type V1Pod } from "@kubernetes/client-node";
import { federatedStatefulSetKind, memberClusterKind, type FederatedStatefulSet, type MemberCluster } from "@spillway/api";
import { Bus, topics, type RolloutProgress } from "@spillway/bus";
import { Informer, ResourceClient, updateObject } from "@spillway/kit";
import { kubeConfigFor, natsUrl, testImage, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { partition } from "./partition.ts";
import { MEMBERS } from "./rollout-services.ts";
import { freePort, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const NAME = "search";
const host = kubeConfigFor("host");
const fstsClient = new ResourceClient<FederatedStatefulSet>(host, federatedStatefulSetKind);
const memberClient = new ResourceClient<MemberCluster>(host, memberClusterKind);
const FAILOVER_GRACE_MS = 5_000;
const ns = uniqueName("e2e-sts");
const leaseNs = uniqueName("e2e-sts-lease");
const procs: RunningService[] = [];
let orchestrator: RunningService;
let orchestrators = 0;
let bus: Bus;
/** What the orchestrator published on spillway.rollout.<ns>.<name>. */
const progress: Array<{ value: RolloutProgress; subject: string }> = [];

const startOrchestrator = async () => {
  orchestrator = await startService("stateful-orchestrator", `sts-orch-${++orchestrators}`, [
    `--lease-namespace=${leaseNs}`,
    "--lease-duration=3",
  ]);
  await waitReady(orchestrator);
};

/**
 * Pod and claim watches on every member; each event is judged: an ordinal alive (any pod object,
 * terminating too) in two members is a breach, and so is a claim of one ordinal in two members.
 */
const ordinalOf = (p: V1Pod) => Number(p.metadata!.labels!["apps.kubernetes.io/pod-index"]);
const claimOrdinal = (c: V1PersistentVolumeClaim) => Number(c.metadata!.name!.slice(`data-${NAME}-`.length));
const watches = MEMBERS.map((m) => {
  const kc = kubeConfigFor(m);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    member: m,
    pods: new Informer<V1Pod>(kc, {
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector: `app=${NAME}`,
      list: () => core.listNamespacedPod({ namespace: ns, labelSelector: `app=${NAME}` }),
      maxBackoffMs: 1000,
    }),
    claims: new Informer<V1PersistentVolumeClaim>(kc, {
      path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
      list: () => core.listNamespacedPersistentVolumeClaim({ namespace: ns }),
      maxBackoffMs: 1000,
    }),
  };
});
const breaches: string[] = [];
/** Members a test declared gone (fenced): their pods and claims no longer count. */
const fenced = new Set<ClusterRole>();
/**
 * Pods and claims a fenced member kept behind the cut (uids): once it is back they may linger
 * until the orchestrator removes them, but nothing may start on them.
 */
const leftBehind = new Set<string>();
let judged = 0;
/** The order claims were first seen in, fleet-wide: an ordinal's last one holds its newest data. */
const claimSerial = new Map<string, number>();
const newestClaim = new Map<number, { uid: string; member: ClusterRole }>();
/** Pods whose start has been judged against the claims (by uid). */
const startJudged = new Set<string>();
const claimBreaches: string[] = [];
function judgeClaims(): void {
  for (const w of watches)
    for (const c of w.claims.list(ns)) {
      const uid = c.metadata!.uid!;
      if (claimSerial.has(uid)) continue;
      claimSerial.set(uid, claimSerial.size);
      newestClaim.set(claimOrdinal(c), { uid, member: w.member });
    }
  const claimedIn = new Map<number, ClusterRole>();
  for (const w of watches) {
    const gone = fenced.has(w.member);
    const claims = new Map(w.claims.list(ns).map((c) => [claimOrdinal(c), c]));
    for (const [k, c] of claims) {
      if (gone) leftBehind.add(c.metadata!.uid!);
      if (gone || leftBehind.has(c.metadata!.uid!)) continue;
      const other = claimedIn.get(k);
      if (other) claimBreaches.push(`ordinal ${k} has claims in ${other} and ${w.member}`);
      claimedIn.set(k, w.member);
    }
    // A pod starts on its ordinal's claim in its member (made just before it, or kept from
    // before): judged once both are seen, that claim must be the newest the ordinal ever had.
    for (const p of w.pods.list(ns)) {
      const uid = p.metadata!.uid!;
      if (gone) leftBehind.add(uid);
      if (gone || leftBehind.has(uid) || startJudged.has(uid)) continue;
      const k = ordinalOf(p);
      const claim = claims.get(k);
      if (!claim) continue;
      startJudged.add(uid);
      const newest = newestClaim.get(k)!;
      if (newest.uid !== claim.metadata!.uid)
        claimBreaches.push(`ordinal ${k} started in ${w.member} on a claim older than the one it had in ${newest.member}`);
    }
  }
}
/** A pod's template as the tests change it: the image, and a REVISION variable where one is set. */
const variant = (p: V1Pod) => {
  const c = p.spec!.containers[0]!;
  const rev = c.env?.find((e) => e.name === "REVISION")?.value;
  return rev ? `${c.image}@${rev}` : c.image!;
};
/** Ordinals in the order their first pod of a given template variant appeared (the rollout order). */
const firstSeen = new Map<string, number[]>();
/**
 * OrderedReady, judged while `orderedReady.on`: when a pod of ordinal k first appears in the
 * watches, every lower ordinal is Ready in what the watches delivered before it (the order of
 * events, not timestamps).
 */
const orderedReady = { on: false, seen: new Set<string>(), violations: [] as string[] };
function judgeOrderedReady(): void {
  const all = watches.filter((x) => !fenced.has(x.member)).flatMap((w) => w.pods.list(ns));
  const ready = new Set(
    all
      .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      .map(ordinalOf),
  );
  for (const p of all) {
    if (orderedReady.seen.has(p.metadata!.uid!)) continue;
    orderedReady.seen.add(p.metadata!.uid!);
    const k = ordinalOf(p);
    const notReady = range(0, k).filter((j) => !ready.has(j));
    if (notReady.length) orderedReady.violations.push(`ordinal ${k} appeared while ${notReady.join(",")} were not Ready`);
  }
}
function judge(): void {
  judged++;
  if (orderedReady.on) judgeOrderedReady();
  judgeClaims();
  const where = new Map<number, ClusterRole>();
  for (const w of watches.filter((x) => !fenced.has(x.member)))
    for (const p of w.pods.list(ns)) {
      if (leftBehind.has(p.metadata!.uid!)) continue;
      const k = ordinalOf(p);
      if (where.has(k) && where.get(k) !== w.member) breaches.push(`ordinal ${k} in ${where.get(k)} and ${w.member}`);
      where.set(k, w.member);
      const seen = firstSeen.get(variant(p)) ?? [];
      if (!seen.includes(k)) firstSeen.set(variant(p), [...seen, k]);
    }
}
const pods = () =>
  Object.fromEntries(
    watches.map((w) => [
      w.member,
      w.pods
        .list(ns)
        .map(ordinalOf)
        .sort((a, b) => a - b),
    ]),
  ) as Record<ClusterRole, number[]>;
const claimedOrdinals = (m: ClusterRole) =>
  watches
    .find((w) => w.member === m)!
    .claims.list(ns)
    .map(claimOrdinal)
    .sort((a, b) => a - b);
const readyOrdinals = () =>
  watches
    .flatMap((w) =>
      w.pods
        .list(ns)
        .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
    )
    .map(ordinalOf)
    .sort((a, b) => a - b);
/** The messages of the Events with this reason in the test's namespace, as kubectl prints them. */
const eventMessages = async (reason: string) =>
  (await kubectl("host", ["get", "events", "-n", ns, "--field-selector", `reason=${reason}`, "-o", "jsonpath={.items[*].message}"])).stdout;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const status = async () => (await fstsClient.get({ namespace: ns, name: NAME })).status;
const rangeSummary = async () => (await status())?.rangeSummary;

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 150_000) {
  await eventually(what, async () => ((await fn()) ? true : undefined), timeoutMs, 200);
}

describe("FederatedStatefulSet across members", () => {
  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    for (const m of MEMBERS) await createNamespace(m, ns);
    // idc-2 starts with 4 × 8 CPU of someone else's pods: half of it is taken, so cloud holds more until they leave.
    await kubeConfigFor("idc-2")
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: "filler" },
          spec: {
            replicas: 4,
            selector: { matchLabels: { app: "filler" } },
            template: {
              metadata: { labels: { app: "filler" } },
              spec: { containers: [{ name: "f", image: testImage(1), resources: { requests: { cpu: "8" } } }] },
            },
          },
        },
      });
    await waitFor(
      "filler running in idc-2",
      async () =>
        (
          await kubectl("idc-2", ["get", "pods", "-n", ns, "-l", "app=filler", "--field-selector=status.phase=Running", "-o", "name"])
        ).stdout
          .trim()
          .split("\n")
          .filter(Boolean).length === 4,
    );
    const gwPort = await freePort();
    procs.push(
      await startService("cluster-gateway", "sts-gw", [`--lease-namespace=${leaseNs}`, `--grpc-addr=127.0.0.1:${gwPort}`, "--hold-down=2"]),
    );
    procs.push(
      await startService("scheduler", "sts-sched", [
        `--lease-namespace=${leaseNs}`,
        `--gateway-addr=127.0.0.1:${gwPort}`,
        "--failback-hold-down=3",
        `--failover-grace=${FAILOVER_GRACE_MS / 1000}`,
      ]),
    );
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    await startOrchestrator();
    bus = await Bus.connect({ servers: natsUrl, name: "e2e-sts" });
    bus.subscribe(topics.rollout, (value, subject) => void progress.push({ value, subject }));
    for (const w of watches) {
      w.pods.addHandler(judge);
      w.claims.addHandler(judge);
    }
    await Promise.all(watches.flatMap((w) => [w.pods.start(), w.claims.start()]));
    await Promise.all(watches.flatMap((w) => [w.pods.hasSynced(), w.claims.hasSynced()]));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(watches.flatMap((w) => [w.pods.stop(), w.claims.stop()]));
    await bus.close();
    await fstsClient.delete({ namespace: ns, name: NAME }).catch(() => undefined);
    await Promise.all([...procs, orchestrator].map((p) => stop(p)));
    await deleteNamespace("host", ns);
    await deleteNamespace("host", leaseNs);
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  }, 120_000);

  it("places 20 × 8 CPU with the lowest ordinals in IDC and the top ones in cloud; each pod once; claims bound where their ordinal runs", async () => {
    orderedReady.on = true;
    await fstsClient.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedStatefulSet",
      metadata: { name: NAME, namespace: ns },
      spec: {
        replicas: 20,
        serviceName: NAME,
        selector: { matchLabels: { app: NAME } },
        podManagementPolicy: "OrderedReady",
        template: {
          metadata: { labels: { app: NAME } },
          spec: { containers: [{ name: "app", image: testImage(1), resources: { requests: { cpu: "8" } } }] },
        },
        volumeClaimTemplates: [
          { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
        ],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
      },
    });
    await waitFor("20 ordinals Ready", () => readyOrdinals().length === 20);
    expect(await rangeSummary()).toBe("idc-1:0-7 idc-2:8-11 cloud-1:12-19");
    expect(pods()).toEqual({ "idc-1": range(0, 8), "idc-2": range(8, 12), "cloud-1": range(12, 20) });
    for (const m of MEMBERS) {
      const claims = await kubeConfigFor(m).makeApiClient(CoreV1Api).listNamespacedPersistentVolumeClaim({ namespace: ns });
      const mine = pods()[m];
      expect(claims.items.map((c) => c.metadata!.name).sort()).toEqual(mine.map((k) => `data-${NAME}-${k}`).sort());
      for (const c of claims.items) expect(c.status?.phase).toBe("Bound");
    }
    // OrderedReady across members: no ordinal appeared before every lower one was Ready,
    // whichever member ran it, judged on every event the watches delivered.
    orderedReady.on = false;
    expect(orderedReady.seen.size).toBe(20);
    expect(orderedReady.violations).toEqual([]);
    const headless = await kubeConfigFor("cloud-1").makeApiClient(CoreV1Api).readNamespacedService({ namespace: ns, name: NAME });
    expect(headless.spec?.clusterIP).toBe("None");
    expect(breaches).toEqual([]);
    expect(claimBreaches).toEqual([]);
  });

  it("kubectl scale to 14 drops cloud's ordinals first, keeping their claims (whenScaled: Retain); back to 20 appends at the top on them", async () => {
    const cloudClaims = () =>
      watches
        .find((w) => w.member === "cloud-1")!
        .claims.list(ns)
        .map((c) => `${c.metadata!.name}/${c.metadata!.uid}`)
        .sort();
    const before = cloudClaims();
    await kubectl("host", ["scale", "fsts", NAME, "-n", ns, "--replicas=14"]);
    await waitFor("ordinals 14-19 gone", () => readyOrdinals().length === 14 && pods()["cloud-1"].every((k) => k < 14));
    expect(pods()).toEqual({ "idc-1": range(0, 8), "idc-2": range(8, 12), "cloud-1": range(12, 14) });
    expect(cloudClaims()).toEqual(before);
    await kubectl("host", ["scale", "fsts", NAME, "-n", ns, "--replicas=20"]);
    await waitFor("20 ordinals Ready again", () => readyOrdinals().length === 20);
    expect(readyOrdinals()).toEqual(range(0, 20));
    expect(await rangeSummary()).toBe("idc-1:0-7 idc-2:8-11 cloud-1:12-19");
    expect(cloudClaims()).toEqual(before);
    expect(breaches).toEqual([]);
    expect(claimBreaches).toEqual([]);
    // kubectl describe says which ordinals cloud-1 gave up and took back.
    const described = await eventually("cloud-1's range changes in kubectl describe", async () => {
      const r = await kubectl("host", ["describe", "fsts", NAME, "-n", ns]);
      return /ordinals 12-13 to 12-19/.test(r.stdout) ? r.stdout : undefined;
    });
    expect(described).toMatch(
      /Normal\s+ScalingMember\s+.+\s+spillway\.dev\/stateful-orchestrator\s+Scaled member StatefulSets?: .*cloud-1 from ordinals 12-19 to 12-13/,
    );
  });

  it("rolls out ordinals ≥ partition 10 in descending order across clusters, then the rest at partition 0 — across an orchestrator kill", async () => {
    await updateObject(fstsClient, { namespace: ns, name: NAME }, (s) => {
      const template = structuredClone(s.spec.template);
      template.spec!.containers[0]!.image = testImage(2);
      return { ...s, spec: { ...s.spec, template, updateStrategy: { type: "RollingUpdate" as const, rollingUpdate: { partition: 10 } } } };
    });
    await waitFor("rollout under way", () => (firstSeen.get(testImage(2)) ?? []).length >= 3);
    await stop(orchestrator, "SIGKILL");
    await startOrchestrator();
    await waitFor("ordinals 10-19 updated", async () => (await status())?.updatedReplicas === 10 && readyOrdinals().length === 20);
    expect(firstSeen.get(testImage(2))).toEqual(range(10, 20).reverse());
    for (const w of watches)
      for (const p of w.pods.list(ns)) expect(p.spec!.containers[0]!.image).toBe(testImage(ordinalOf(p) >= 10 ? 2 : 1));
    await updateObject(fstsClient, { namespace: ns, name: NAME }, (s) => ({
      ...s,
      spec: { ...s.spec, updateStrategy: { type: "RollingUpdate" as const, rollingUpdate: { partition: 0 } } },
    }));
    await waitFor("every ordinal updated", async () => {
      const s = await status();
      return s?.updatedReplicas === 20 && s.currentRevision === s.updateRevision && readyOrdinals().length === 20;
    });
    expect(firstSeen.get(testImage(2))).toEqual(range(0, 20).reverse());
    const done = await eventually(
      "a complete rollout published on NATS",
      async () => progress.find((p) => p.value.namespace === ns && p.value.complete && p.value.updatedReplicas === 20),
      10_000,
    );
    expect(done.subject).toBe(`spillway.rollout.${ns}.${NAME}`);
    expect(breaches).toEqual([]);
  });

  it("follows a partition lowered mid-rollout, then a rollback mid-rollout, to the end", async () => {
    const live = () => watches.flatMap((w) => w.pods.list(ns)).filter((p) => !p.metadata?.deletionTimestamp);
    const on = (v: string) => live().filter((p) => variant(p) === v);
    const previous = testImage(2);
    const patch = (revision: string | undefined, partition: number) =>
      updateObject(fstsClient, { namespace: ns, name: NAME }, (s) => {
        const template = structuredClone(s.spec.template);
        template.spec!.containers[0]!.env = revision ? [{ name: "REVISION", value: revision }] : undefined;
        return { ...s, spec: { ...s.spec, template, updateStrategy: { type: "RollingUpdate" as const, rollingUpdate: { partition } } } };
      });
    await patch("r3", 15);
    await waitFor("two ordinals on r3", () => on(`${previous}@r3`).length >= 2);
    // Lowered mid-rollout: ordinals 5-19 end on r3, 0-4 keep the previous template.
    await updateObject(fstsClient, { namespace: ns, name: NAME }, (s) => ({
      ...s,
      spec: { ...s.spec, updateStrategy: { type: "RollingUpdate" as const, rollingUpdate: { partition: 5 } } },
    }));
    await waitFor("ordinals 5-19 updated", async () => (await status())?.updatedReplicas === 15 && readyOrdinals().length === 20);
    expect(
      on(`${previous}@r3`)
        .map(ordinalOf)
        .sort((a, b) => a - b),
    ).toEqual(range(5, 20));
    expect(
      on(previous)
        .map(ordinalOf)
        .sort((a, b) => a - b),
    ).toEqual(range(0, 5));
    expect(firstSeen.get(`${previous}@r3`)).toEqual(range(5, 20).reverse());
    // A new template, rolled back mid-rollout: the previous template again, all the way down.
    await patch("r4", 0);
    await waitFor("two ordinals on r4", () => on(`${previous}@r4`).length >= 2);
    await patch(undefined, 0);
    await waitFor("every ordinal back on the previous template", async () => {
      const s = await status();
      return on(previous).length === 20 && s?.currentRevision === s?.updateRevision && readyOrdinals().length === 20;
    });
    expect(breaches).toEqual([]);
  });

  it("fails back to IDC one ordinal at a time when room appears, across an orchestrator kill, never one ordinal in two places", async () => {
    await kubeConfigFor("idc-2").makeApiClient(AppsV1Api).deleteNamespacedDeployment({ namespace: ns, name: "filler" });
    await waitFor("first ordinal moved to idc-2", () => pods()["idc-2"].includes(12));
    await stop(orchestrator, "SIGKILL");
    await startOrchestrator();
    const placed: Record<string, number[]> = { "idc-1": range(0, 8), "idc-2": range(8, 16), "cloud-1": range(16, 20) };
    await waitFor(
      "ordinals 0-15 running in IDC, 16-19 in cloud",
      async () =>
        (await rangeSummary()) === "idc-1:0-7 idc-2:8-15 cloud-1:16-19" &&
        JSON.stringify(pods()) === JSON.stringify(placed) &&
        readyOrdinals().length === 20,
      240_000,
    );
    expect(pods()).toEqual(placed);
    // Each moved ordinal's claim left cloud-1 before the ordinal started in idc-2 on a new one.
    await waitFor("claims only where their ordinals run", () =>
      MEMBERS.every((m) => JSON.stringify(claimedOrdinals(m)) === JSON.stringify(placed[m])),
    );
    const released = await eventMessages("ReleasedClaim");
    for (const k of [12, 13, 14, 15])
      expect(released).toContain(`Deleted volume claim data-${NAME}-${k} in cloud-1: ordinal ${k} moved to idc-2`);
    expect(judged).toBeGreaterThan(100);
    expect(breaches).toEqual([]);
    expect(claimBreaches).toEqual([]);
  });

  it("keeps a cut-off member's ordinals where they are; starts them elsewhere only once it is fenced", async () => {
    const heal = await partition("idc-2");
    try {
      await waitFor("OrdinalsHeld says idc-2 may still run 8-15", async () =>
        ((await status())?.conditions ?? []).some(
          (c) =>
            c.type === "OrdinalsHeld" && c.status === "True" && c.message?.includes("idc-2 is unreachable and may still run ordinals 8-15"),
        ),
      );
      // Past the scheduler's failover grace (5 s), by idc-2's own Ready condition (second-granular,
      // hence a second more), judged on every pod event meanwhile: nothing moves.
      const before = judged;
      await waitFor("idc-2 not Ready for longer than the scheduler's failover grace", async () => {
        const ready = (await memberClient.get({ name: "idc-2" })).status?.conditions?.find((c) => c.type === "Ready");
        return !!ready && ready.status !== "True" && Date.now() - Date.parse(ready.lastTransitionTime ?? "") > FAILOVER_GRACE_MS + 1000;
      });
      expect(await rangeSummary()).toBe("idc-1:0-7 idc-2:8-15 cloud-1:16-19");
      expect(pods()["cloud-1"]).toEqual(range(16, 20));
      expect(judged).toBeGreaterThanOrEqual(before);
      // Fenced: the user declares idc-2 gone; its pods (still running behind the cut) no longer count.
      fenced.add("idc-2");
      await updateObject(memberClient, { name: "idc-2" }, (m) => ({ ...m, spec: { ...m.spec, fenced: true } }));
      await waitFor(
        "ordinals 8-15 started in cloud-1",
        async () => (await rangeSummary()) === "idc-1:0-7 cloud-1:8-19" && pods()["cloud-1"].length === 12,
      );
      expect(await eventMessages("MemberFenced")).toContain("idc-2 is fenced");
    } finally {
      await heal();
      // Judged again from here, idc-2 included: what it kept behind the cut (pods and claims of
      // 8-15, still Running there) may only go; any new pod or claim there counts.
      judge();
      fenced.delete("idc-2");
      await updateObject(memberClient, { name: "idc-2" }, (m) => ({ ...m, spec: { ...m.spec, fenced: false } }));
    }
    const behind = () => watches.flatMap((w) => [...w.pods.list(ns), ...w.claims.list(ns)]).filter((o) => leftBehind.has(o.metadata!.uid!));
    expect(behind().length).toBe(16);
    // Back and unfenced, idc-2 gives up its pods of 8-15 and then their claims: the ordinals' newer
    // data is in cloud-1's claims, whatever the Placement says meanwhile (the scheduler fails back).
    await waitFor("idc-2 gave up what it kept behind the cut", () => behind().length === 0);
    const released = await eventMessages("ReleasedClaim");
    expect(released).toContain(`Deleted volume claim data-${NAME}-8 in idc-2: ordinal 8 ran elsewhere while idc-2 was fenced`);
    await waitFor("20 ordinals Ready, each claim where its ordinal runs", () => {
      const running = pods();
      return readyOrdinals().length === 20 && MEMBERS.every((m) => JSON.stringify(claimedOrdinals(m)) === JSON.stringify(running[m]));
    });
    expect(breaches).toEqual([]);
    expect(claimBreaches).toEqual([]);
  });

  it("deleting the FederatedStatefulSet removes the member StatefulSets, and their claims (whenDeleted: Delete)", async () => {
    await fstsClient.delete({ namespace: ns, name: NAME });
    await waitFor("the FederatedStatefulSet gone", async () => !(await fstsClient.list()).items.some((o) => o.metadata.namespace === ns));
    for (const m of MEMBERS) {
      const kc = kubeConfigFor(m);
      await waitFor(`${m}: StatefulSet and claims gone`, async () => {
        const sets = await kc.makeApiClient(AppsV1Api).listNamespacedStatefulSet({ namespace: ns });
        const claims = await kc.makeApiClient(CoreV1Api).listNamespacedPersistentVolumeClaim({ namespace: ns });
        return sets.items.length === 0 && claims.items.length === 0;
      });
    }
  });
});
