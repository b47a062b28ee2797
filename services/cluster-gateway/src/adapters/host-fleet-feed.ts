/**
 * Feeds the host's fleet-level objects into the fleet keyspace (ADR 0008, ADR 0009): one watch per
 * fleet-level resource on the host (FederatedDeployments served as Deployments, FederatedHPAs,
 * ConfigMaps, Secrets, ServiceAccounts, Services, PersistentVolumeClaims; namespaces, Spillway's
 * CustomResourceDefinitions and `spillway.dev` objects as they are).
 * A workload being deleted is gone from the fleet at once (its native kind has no finalizer to
 * wait on); the host's own kinds show their deletion as the host does.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { fleetResources, isTranslated } from "@spillway/api";
import { kubeList, type CachedSource, type InformerOptions } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { HOST, type FleetObjects, type MemberObject } from "../core/fleet-objects.ts";

type Object = MemberObject & { metadata?: { name?: string; namespace?: string; deletionTimestamp?: string } };

/** Whether the fleet serves this host object of `r` (of CustomResourceDefinitions, only those of `servedGroups`). */
const served = (r: { servedGroups?: readonly string[] }, o: Object) =>
  !r.servedGroups || r.servedGroups.includes((o as { spec?: { group?: string } }).spec?.group ?? "");

export function feedHostObjects(
  kubeConfig: KubeConfig,
  objects: FleetObjects,
  informerFor: (o: InformerOptions<Object>) => CachedSource<Object>,
  log: Logger,
): void {
  for (const r of fleetResources.filter((x) => x.fleetLevel)) {
    const fl = r.fleetLevel!;
    const path = fl.group ? `/apis/${fl.group}/${fl.version}/${fl.resource}` : `/api/${fl.version}/${fl.resource}`;
    const informer = informerFor({
      path,
      list: () => kubeList<Object>(kubeConfig, { path, what: `the host's ${fl.resource}` }),
    });
    informer.addHandler((type, o) => {
      try {
        if (!served(r, o)) return;
        if (type === "delete" || (isTranslated(r) && o.metadata?.deletionTimestamp))
          objects.remove(r, HOST, o.metadata?.namespace, o.metadata?.name ?? "");
        else objects.upsert(r, HOST, o);
      } catch (err) {
        // A malformed host object must not take the gateway down; it is left out of the fleet.
        log.warn({ resource: fl.resource, ...errorFields(err) }, "ignoring a host object the fleet API cannot serve");
      }
    });
  }
}
