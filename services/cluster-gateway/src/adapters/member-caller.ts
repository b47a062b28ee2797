/**
 * Carries the fleet API's writes to the member that holds the object (ADR 0008), with the
 * gateway's own credentials for that member; they never leave the gateway.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "@spillway/kit";
import type { Holding, MemberObject } from "../core/fleet-objects.ts";
import { createPath, objectPath, type FleetResource } from "@spillway/api";
import type { MemberCall } from "../core/member-call.ts";

export type WriteResult = { object: MemberObject } | { deleted: true };

export class MemberCaller {
  private readonly kubeConfigOf: (cluster: string) => KubeConfig | undefined;

  constructor(kubeConfigOf: (cluster: string) => KubeConfig | undefined) {
    this.kubeConfigOf = kubeConfigOf;
  }

  /** Creates `body` in `cluster` (a chart's test Pod, ADR 0009); resolves to what the member made. */
  async create(cluster: string, resource: FleetResource, namespace: string | undefined, body: MemberObject): Promise<MemberObject> {
    const kc = this.kubeConfigOf(cluster);
    const what = `${resource.resource} ${namespace ? `${namespace}/` : ""}${body.metadata?.name} in ${cluster}`;
    if (!kc) throw new Error(`cannot create ${what}: the gateway has no connection to ${cluster}`);
    return (await kubeRequest(kc, { method: "POST", path: createPath(resource, namespace), body, what })) as MemberObject;
  }

  /** Runs the writes in order; each update carries the resourceVersion the previous one returned. */
  async apply(holding: Holding, writes: MemberCall[]): Promise<WriteResult> {
    const kc = this.kubeConfigOf(holding.cluster);
    const what = `${holding.resource.resource} ${holding.namespace ? `${holding.namespace}/` : ""}${holding.name} in ${holding.cluster}`;
    if (!kc) throw new Error(`cannot write ${what}: the gateway has no connection to ${holding.cluster}`);
    const path = objectPath(holding.resource, holding.namespace, holding.name);
    let result: WriteResult = { object: holding.object };
    for (const w of writes) {
      if (w.verb === "delete") {
        const body = {
          apiVersion: "v1",
          kind: "DeleteOptions",
          ...(w.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: w.gracePeriodSeconds } : {}),
          // The uid only: the fleet's own revision check has passed, and a member version that moved
          // since (a status write) would turn every delete into a conflict loop.
          ...(w.uid ? { preconditions: { uid: w.uid } } : {}),
        };
        const answer = (await kubeRequest(kc, { method: "DELETE", path, body, what })) as MemberObject & { kind?: string };
        // Most kinds answer a delete with the object as it was; only one still held by finalizers
        // or a grace period (a deletion timestamp) is still there.
        result = answer.kind === "Status" || !answer.metadata?.deletionTimestamp ? { deleted: true } : { object: answer };
      } else {
        const previous = "object" in result ? result.object.metadata?.resourceVersion : undefined;
        const body = previous ? { ...w.body, metadata: { ...w.body.metadata, resourceVersion: previous } } : w.body;
        const object = (await kubeRequest(kc, {
          method: "PUT",
          path: w.subresource ? `${path}/${w.subresource}` : path,
          body,
          what,
        })) as MemberObject;
        result = { object };
      }
    }
    return result;
  }
}
