/**
 * What Spillway may do in a member cluster, and who it is there: one ServiceAccount per member,
 * bound to one ClusterRole whose every rule names the service that uses it and why.
 * `kubectl spillway join` creates these (and `--dry-run` prints them); the e2e suite checks the
 * rights a joined member grants against e2e/src/member-rbac-allowlist.yaml, a reviewed file.
 */

/** The member namespace Spillway's identity lives in (never the host's release namespace: a host may be its own member). */
export const MEMBER_NAMESPACE = "spillway-member";
export const MEMBER_SERVICE_ACCOUNT = "spillway";
export const MEMBER_ROLE = "spillway:member";
/** A long-lived token, as a service-account token Secret: the member's token controller fills it. */
export const MEMBER_TOKEN_SECRET = "spillway-token";

export interface MemberRule {
  /** The services whose member writes or reads need this rule. */
  services: string[];
  why: string;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Member-level kinds the fleet API shows from every member (packages/api fleet-resources.ts, fromMembers). */
const fleetViewed: Array<[string, string[]]> = [
  ["", ["pods", "nodes", "events", "services", "persistentvolumeclaims", "configmaps"]],
  ["discovery.k8s.io", ["endpointslices"]],
  ["apps", ["deployments", "replicasets", "statefulsets", "daemonsets"]],
  ["autoscaling", ["horizontalpodautoscalers"]],
  ["batch", ["jobs", "cronjobs"]],
];

/** Kinds with no status subresource, or none the fleet API writes (nodes are the member's own). */
const noStatus = new Set(["nodes", "events", "configmaps", "endpointslices"]);

/** Kinds that follow workloads into members (packages/rules workload-dependencies.ts). */
const dependencyResources = ["configmaps", "secrets", "serviceaccounts", "services", "persistentvolumeclaims"];

export const memberRules: readonly MemberRule[] = [
  ...fleetViewed.map(([group, resources]) => ({
    services: ["cluster-gateway"],
    why: "the fleet API's view of every member, and member capacity (nodes, pods) for the scheduler's snapshots",
    apiGroups: [group],
    resources,
    verbs: ["list", "watch"],
  })),
  ...fleetViewed.map(([group, resources]) => ({
    services: ["cluster-gateway"],
    why: "writes through the fleet API to the member object they name (kubectl delete pod, label, scale a member's own)",
    apiGroups: [group],
    resources: resources.filter((r) => r !== "nodes" && r !== "events"),
    verbs: ["update", "delete"],
  })),
  ...fleetViewed
    .map(([group, resources]) => ({
      services: ["cluster-gateway"],
      why: "a status written through the fleet API goes to the member object's status subresource",
      apiGroups: [group],
      resources: resources.filter((r) => !noStatus.has(r)).map((r) => `${r}/status`),
      verbs: ["update"],
    }))
    .filter((r) => r.resources.length > 0),
  {
    services: ["cluster-gateway"],
    why: "a chart's test hook Pod, created through the fleet API, runs in the member running the release",
    apiGroups: [""],
    resources: ["pods"],
    verbs: ["create"],
  },
  {
    services: ["cluster-gateway"],
    why: "the federated autoscaler's Resource and Pods metrics, read in each member",
    apiGroups: ["metrics.k8s.io"],
    resources: ["pods"],
    verbs: ["list"],
  },
  {
    services: ["cluster-gateway"],
    why: "the federated autoscaler's Resource and Pods metrics, read in each member",
    apiGroups: ["custom.metrics.k8s.io"],
    resources: ["*"],
    verbs: ["get"],
  },
  {
    services: ["fleet-root"],
    why: "the member Deployments of FederatedDeployments",
    apiGroups: ["apps"],
    resources: ["deployments"],
    verbs: ["get", "list", "watch", "create", "patch", "update", "delete"],
  },
  {
    services: ["stateful-orchestrator"],
    why: "the member StatefulSets of FederatedStatefulSets",
    apiGroups: ["apps"],
    resources: ["statefulsets"],
    verbs: ["get", "list", "watch", "create", "patch", "update", "delete"],
  },
  {
    services: ["stateful-orchestrator"],
    why: "which ordinals' pods run where, and a moved ordinal's volume claim released",
    apiGroups: [""],
    resources: ["pods", "persistentvolumeclaims"],
    verbs: ["list", "watch"],
  },
  {
    services: ["stateful-orchestrator"],
    why: "a moved ordinal's volume claim released in the member it left",
    apiGroups: [""],
    resources: ["persistentvolumeclaims"],
    verbs: ["get", "delete"],
  },
  {
    services: ["fleet-root", "stateful-orchestrator"],
    why: "a workload's namespace made in the member before its first object",
    apiGroups: [""],
    resources: ["namespaces"],
    verbs: ["create"],
  },
  {
    services: ["fleet-root", "stateful-orchestrator"],
    why: "the copies of what workloads depend on (ConfigMaps, Secrets, ServiceAccounts, Services, claims) kept in each member",
    apiGroups: [""],
    resources: dependencyResources,
    verbs: ["get", "list", "watch", "create", "update", "delete"],
  },
];

/** The ClusterRole `kubectl spillway join` makes in a member: the rules above, merged per group and resource. */
export function memberClusterRole(): object {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: MEMBER_ROLE, labels: { "app.kubernetes.io/part-of": "spillway" } },
    rules: memberRules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs })),
  };
}

/** Everything `join` makes in the member, in the order it applies them. */
export function memberObjects(): object[] {
  const labels = { "app.kubernetes.io/part-of": "spillway" };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: MEMBER_NAMESPACE, labels } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: MEMBER_SERVICE_ACCOUNT, namespace: MEMBER_NAMESPACE, labels } },
    memberClusterRole(),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: MEMBER_ROLE, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: MEMBER_ROLE },
      subjects: [{ kind: "ServiceAccount", name: MEMBER_SERVICE_ACCOUNT, namespace: MEMBER_NAMESPACE }],
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: {
        name: MEMBER_TOKEN_SECRET,
        namespace: MEMBER_NAMESPACE,
        labels,
        annotations: { "kubernetes.io/service-account.name": MEMBER_SERVICE_ACCOUNT },
      },
    },
  ];
}
