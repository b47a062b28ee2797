/**
 * Carries the fleet API's writes of fleet-level objects to the host (ADR 0009), with the
 * gateway's own credentials there: the fleet API server has already authorized the client's
 * request with the host's RBAC for the native kind.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { createPath, objectPath, type FleetResource } from "@spillway/api";
import { kubeRequest } from "@spillway/kit";
import type { KubeJson } from "../core/fleet-level.ts";

export type HostWriteResult = { object: KubeJson } | { deleted: true };

export class HostWriter {
  private readonly kubeConfig: KubeConfig;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
  }

  private path(resource: FleetResource, namespace: string | undefined, name?: string): string {
    const host = { ...resource, ...resource.fleetLevel! };
    return name === undefined ? createPath(host, namespace) : objectPath(host, namespace, name);
  }

  private what(resource: FleetResource, namespace: string | undefined, name: string) {
    return `${resource.fleetLevel!.resource} ${namespace ? `${namespace}/` : ""}${name} on the host`;
  }

  async create(resource: FleetResource, namespace: string | undefined, body: KubeJson): Promise<KubeJson> {
    const what = this.what(resource, namespace, body.metadata?.name ?? "");
    return (await kubeRequest(this.kubeConfig, { method: "POST", path: this.path(resource, namespace), body, what })) as KubeJson;
  }

  async replace(resource: FleetResource, namespace: string | undefined, name: string, body: KubeJson): Promise<KubeJson> {
    const what = this.what(resource, namespace, name);
    return (await kubeRequest(this.kubeConfig, { method: "PUT", path: this.path(resource, namespace, name), body, what })) as KubeJson;
  }

  async delete(resource: FleetResource, namespace: string | undefined, name: string, uid: string | undefined): Promise<HostWriteResult> {
    const body = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", ...(uid ? { preconditions: { uid } } : {}) };
    const what = this.what(resource, namespace, name);
    const answer = (await kubeRequest(this.kubeConfig, {
      method: "DELETE",
      path: this.path(resource, namespace, name),
      body,
      what,
    })) as KubeJson;
    // Most kinds answer a delete with the object as it was; only one still held by finalizers
    // (a deletion timestamp) is still there.
    return answer.kind === "Status" || !answer.metadata?.deletionTimestamp ? { deleted: true } : { object: answer };
  }
}
