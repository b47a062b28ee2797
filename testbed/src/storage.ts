/**
 * Volumes that really bind in each member: a default StorageClass `local` (no provisioner,
 * `WaitForFirstConsumer`) and pre-created local PersistentVolumes pinned to the kwok nodes, so a
 * StatefulSet's claims are bound by the member's own kube-scheduler (volume binding picks a
 * volume on the pod's node) and PV controller, exactly as on a cluster with local disks.
 */
import type { ClusterSpec } from "./topology.ts";

export const STORAGE_CLASS = "local";
/**
 * Volumes per node: a released one is not made available again (no local-volume provisioner
 * cleans it here), and a moved ordinal releases its claim, so a suite uses up several per node
 * (the densest StatefulSet a test runs has 4 pods of 4 CPU per 16-CPU node).
 */
export const VOLUMES_PER_NODE = 12;

export function storageManifests(cluster: ClusterSpec, nodeNames: string[]): object[] {
  return [
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Delete",
    },
    ...nodeNames.flatMap((node) =>
      Array.from({ length: VOLUMES_PER_NODE }, (_, i) => ({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: `${node}-vol-${i}`, labels: { "spillway.dev/testbed-cluster": cluster.name } },
        spec: {
          capacity: { storage: "10Gi" },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: STORAGE_CLASS,
          local: { path: `/mnt/disks/vol-${i}` },
          nodeAffinity: {
            required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] },
          },
        },
      })),
    ),
  ];
}
