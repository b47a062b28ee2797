/**
 * A MemberCluster as the gateway leaves it (Ready or not), for controller unit tests that run
 * against the kit's fakes: the tier follows the name (`idc-*` or cloud).
 */
import type { MemberCluster } from "@spillway/api";

export const memberFixture = (name: string, ready = true): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name },
  spec: { tier: name.startsWith("idc") ? "idc" : "cloud", priority: 10, kubeconfigSecretRef: { namespace: "s", name, key: "kubeconfig" } },
  status: {
    conditions: [{ type: "Ready", status: ready ? "True" : "False", reason: "r", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }],
  },
});
