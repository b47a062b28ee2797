/**
 * The reconcile kit against the real API server: an informer-driven controller that adds its
 * finalizer, writes status with observedGeneration and a condition, records an Event, and on
 * deletion cleans up and lets the object go. This is the shape every Spillway controller has.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { EventsV1Api } from "@kubernetes/client-node";
import { federatedDeploymentKind, type FederatedDeployment } from "@spillway/api";
import {
  Controller,
  EventRecorder,
  InformerFactory,
  ResourceClient,
  ensureFinalizer,
  isNotFound,
  parseKey,
  removeFinalizer,
  setCondition,
  updateStatus,
} from "@spillway/kit";
import { kubeConfigFor, testImage } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";

const FINALIZER = "spillway.dev/e2e-kit";

describe("reconcile kit", () => {
  const kc = kubeConfigFor("host");
  const client = new ResourceClient<FederatedDeployment>(kc, federatedDeploymentKind);
  const informers = new InformerFactory(kc);
  const events = new EventRecorder(kc, "e2e-kit", "e2e");
  const ns = uniqueName("e2e-kit");
  const reconciled: string[] = [];
  let controller: Controller<FederatedDeployment>;

  beforeAll(async () => {
    await createNamespace("host", ns);
    const informer = informers.informerFor<FederatedDeployment>({ path: client.path, list: () => client.list() });
    controller = new Controller({
      name: "e2e-kit",
      primary: informer,
      resyncPeriodMs: 60_000,
      reconcile: async (key) => {
        reconciled.push(key);
        const { namespace, name } = parseKey(key);
        if (namespace !== ns) return;
        let obj: FederatedDeployment;
        try {
          obj = await client.get({ namespace, name });
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
        if (obj.metadata.deletionTimestamp) {
          await removeFinalizer(client, obj, FINALIZER);
          return;
        }
        obj = await ensureFinalizer(client, obj, FINALIZER);
        const { written, object } = await updateStatus(
          client,
          { namespace, name },
          (latest) => ({
            ...latest.status,
            observedGeneration: latest.metadata.generation,
            replicas: 0,
            conditions: setCondition(latest.status?.conditions, {
              type: "Progressing",
              status: "True",
              reason: "Observed",
              message: `saw ${latest.spec.replicas} replicas`,
              observedGeneration: latest.metadata.generation,
            }),
          }),
          { initial: obj },
        );
        if (written) await events.record(object, "Normal", "Observed", `saw ${object.spec.replicas} replicas`);
      },
    });
    await informers.start();
    await controller.start();
  });

  afterAll(async () => {
    await controller.stop();
    await informers.stop();
    await deleteNamespace("host", ns);
  });

  const body = (replicas: number): FederatedDeployment => ({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedDeployment",
    metadata: { name: "web", namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: testImage(1) }] } },
    },
  });

  it("adds its finalizer and writes status for each generation, with one Event per change", async () => {
    await client.create(body(2));
    const first = await eventually(
      "status for generation 1",
      async () => {
        const o = await client.get({ namespace: ns, name: "web" });
        return o.status?.observedGeneration === 1 ? o : undefined;
      },
      20_000,
    );
    expect(first.metadata.finalizers).toContain(FINALIZER);
    expect(first.status!.conditions![0]).toMatchObject({ type: "Progressing", status: "True", message: "saw 2 replicas" });

    await client.replace({ ...first, spec: { ...first.spec, replicas: 5 } });
    const second = await eventually(
      "status for generation 2",
      async () => {
        const o = await client.get({ namespace: ns, name: "web" });
        return o.status?.observedGeneration === 2 ? o : undefined;
      },
      20_000,
    );
    expect(second.status!.conditions![0]!.message).toBe("saw 5 replicas");
    // Only the message changed, not the status: the transition time stays.
    expect(second.status!.conditions![0]!.lastTransitionTime).toBe(first.status!.conditions![0]!.lastTransitionTime);

    const evs = await eventually(
      "two events",
      async () => {
        const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
        const mine = list.items.filter((e) => e.reportingController === "spillway.dev/e2e-kit" && e.regarding?.name === "web");
        return mine.length === 2 ? mine : undefined;
      },
      20_000,
    );
    expect(evs.map((e) => e.note).sort()).toEqual(["saw 2 replicas", "saw 5 replicas"]);
  });

  it("removes its finalizer on deletion, so the object goes away", async () => {
    await client.delete({ namespace: ns, name: "web" });
    await eventually(
      "object gone",
      async () => {
        try {
          await client.get({ namespace: ns, name: "web" });
          return undefined;
        } catch (err) {
          return isNotFound(err) ? true : undefined;
        }
      },
      20_000,
    );
    expect(reconciled.filter((k) => k === `${ns}/web`).length).toBeGreaterThanOrEqual(3);
  });
});
