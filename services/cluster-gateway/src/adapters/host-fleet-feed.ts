/**
 * Feeds the host's fleet-level objects into the fleet keyspace (ADR 0009): one watch per
 * fleet-level kind on the host (FederatedDeployments, FederatedHPAs, ConfigMaps, Secrets,
 * ServiceAccounts, Services, PersistentVolumeClaims), each object served as its native kind.
 * A workload being deleted is gone from the fleet at once (its native kind has no finalizer to
 * wait on); the host's own kinds show their deletion as the host does.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { fleetResources, type FleetResource } from "@spillway/api";
import { kubeRequest, type CachedSource, type InformerOptions, type ObjectList } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { HOST, type FleetObjects, type MemberObject } from "../core/fleet-objects.ts";

type Object = MemberObject & { metadata?: { name?: string; namespace?: string; deletionTimestamp?: string } };

const translated = (r: FleetResource) => r.fleetLevel!.kind !== r.kind;

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
      list: () => kubeRequest(kubeConfig, { path, what: `the host's ${fl.resource}` }) as Promise<ObjectList<Object>>,
    });
    informer.addHandler((type, o) => {
      try {
        if (type === "delete" || (translated(r) && o.metadata?.deletionTimestamp))
          objects.remove(r, HOST, o.metadata?.namespace, o.metadata?.name ?? "");
        else objects.upsert(r, HOST, o);
      } catch (err) {
        // A malformed host object must not take the gateway down; it is left out of the fleet.
        log.warn({ resource: fl.resource, ...errorFields(err) }, "ignoring a host object the fleet API cannot serve");
      }
    });
  }
}
