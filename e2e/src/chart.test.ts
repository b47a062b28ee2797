/**
 * The Helm chart, with real Helm (built from helm.sh/helm/v3 by the testbed) against the real host:
 * lint, values refused by values.schema.json naming the field, a server-side dry run that creates
 * nothing, install, upgrade to changed values, uninstall. Then the least-privilege RBAC: what each
 * service's ServiceAccount may do equals e2e/src/rbac-allowlist.yaml, and each service's own token
 * is refused what it must not do. (Every other suite runs the services under these same
 * identities, which proves the rights are enough.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { parse, parseAllDocuments } from "yaml";
import { CHART_DIR, SERVICES, identityKubeconfig, RELEASE, runHelm, type ServiceName, runKubectl } from "@spillway/testbed";
import { contextOf, e2eKubeconfig, kubectlBin, repoRoot } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { parseCanIList } from "./can-i.ts";

const RELEASE_NAMESPACE = "spillway-system";
const host = { kubeconfig: e2eKubeconfig, context: contextOf("host") };
const helm = (args: string[]) => runHelm(args, host);

interface Deployment {
  metadata: { name: string };
  spec: {
    replicas: number;
    template: {
      spec: {
        serviceAccountName: string;
        securityContext: Record<string, unknown>;
        affinity?: { podAntiAffinity?: unknown };
        containers: Array<{
          command: string[];
          args: string[];
          readinessProbe?: { httpGet?: { path: string } };
          livenessProbe?: { httpGet?: { path: string } };
          resources?: { requests?: Record<string, string> };
          securityContext: Record<string, unknown>;
        }>;
      };
    };
  };
}

async function json<T>(args: string[]): Promise<T> {
  const r = await kubectl("host", [...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe("the Helm chart", () => {
  it("passes helm lint --strict", async () => {
    const r = await helm(["lint", "--strict", CHART_DIR]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(r.code).toBe(0);
  });

  it.each([
    [["--set", "defaults.replicas=two"], "at '/defaults/replicas': got string, want integer"],
    [["--set", "services.schedular.replicas=1"], "at '/services': additional properties 'schedular' not allowed"],
    [["--set", "image.pullPolicy=Sometimes"], "at '/image/pullPolicy'"],
    [["--set", "nats.url=localhost:4222"], "at '/nats/url'"],
  ])("refuses %j naming the field", async (set, message) => {
    const r = await helm(["install", "bad", CHART_DIR, "--namespace", RELEASE_NAMESPACE, "--dry-run=server", ...set]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it("runs the fleet apiserver beside cluster-gateway, on the gateway's storage only, checking every request on the host", async () => {
    // Nothing of the host's but its API: no etcd endpoint, no key.
    const r = await helm(["template", "t", CHART_DIR, "--kube-version=1.34.0", "--set=fleetAPI.enabled=true"]);
    expect(r.stderr).toBe("");
    const docs = parseAllDocuments(r.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: never; data?: never },
    );
    const gateway = docs.find((d) => d.kind === "Deployment" && d.metadata.name === "t-spillway-cluster-gateway") as unknown as {
      spec: { template: { spec: { containers: Array<{ name: string; command?: string[]; args: string[] }> } } };
    };
    const [main, fleet] = gateway.spec.template.spec.containers;
    expect(fleet?.command).toEqual(["fleet-apiserver"]);
    // Its one storage is the gateway's loopback shim, as on the testbed.
    expect(main?.args).toContain("--fleet-storage-addr=127.0.0.1:2381");
    expect(fleet?.args.filter((a) => a.startsWith("--etcd-servers"))).toEqual(["--etcd-servers=http://127.0.0.1:2381"]);
    expect(fleet?.args).toEqual(
      expect.arrayContaining([
        "--runtime-config=rbac.authorization.k8s.io/v1=false",
        "--service-account-signing-key-file=/etc/spillway/fleet-api/sa/sa.key",
        "--api-audiences=https://kubernetes.default.svc",
        "--authorization-mode=Webhook",
        "--anonymous-auth=false",
        "--authentication-token-webhook-config-file=/etc/spillway/fleet-api/authn-webhook.kubeconfig",
        "--authorization-webhook-config-file=/etc/spillway/fleet-api/authz-webhook.kubeconfig",
      ]),
    );
    const config = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === "t-spillway-cluster-gateway-fleet-api") as unknown as {
      data: Record<string, string>;
    };
    expect(parse(config.data["authz-webhook.kubeconfig"]!).clusters[0].cluster.server).toBe(
      "https://kubernetes.default.svc/apis/authorization.k8s.io/v1/subjectaccessreviews",
    );
    const delegator = docs.find((d) => d.kind === "ClusterRoleBinding" && d.metadata.name.endsWith("auth-delegator")) as unknown as {
      roleRef: { name: string };
    };
    expect(delegator.roleRef.name).toBe("system:auth-delegator");
    // Its own signing key, made by the chart.
    const key = docs.find((d) => d.kind === "Secret" && d.metadata.name === "t-spillway-cluster-gateway-fleet-api-sa") as unknown as {
      data: Record<string, string>;
    };
    expect(Buffer.from(key.data["sa.key"]!, "base64").toString()).toContain("PRIVATE KEY-----");
    // Off by default: nothing of it is rendered.
    const plain = await helm(["template", "t", CHART_DIR, "--kube-version=1.34.0"]);
    expect(plain.stdout).not.toContain("fleet-apiserver");
  });

  it("renders a service scaled to zero as zero replicas, and the defaults' count where none is given", async () => {
    const r = await helm(["template", "t", CHART_DIR, "--kube-version=1.34.0", "--set", "services.scheduler.replicas=0"]);
    expect(r.stderr).toBe("");
    const replicas = Object.fromEntries(
      parseAllDocuments(r.stdout)
        .map((d) => d.toJSON() as { kind?: string; metadata?: { name?: string }; spec?: { replicas?: number } } | null)
        .filter((d) => d?.kind === "Deployment")
        .map((d) => [d!.metadata!.name, d!.spec!.replicas]),
    );
    expect(replicas["t-spillway-scheduler"]).toBe(0);
    expect(replicas["t-spillway-fleet-root"]).toBe(2);
  });

  it("ships the alerts promtool tests as a PrometheusRule and the dashboard for Grafana's sidecar, when asked", async () => {
    const on = ["--set", "metrics.prometheusRule.enabled=true,metrics.dashboard.enabled=true,metrics.prometheusRule.labels.release=kps"];
    const r = await helm(["template", "t", CHART_DIR, "--kube-version=1.34.0", "--namespace", "mon", ...on]);
    expect(r.stderr).toBe("");
    const docs = parseAllDocuments(r.stdout).map(
      (d) =>
        d.toJSON() as {
          kind?: string;
          metadata: { name: string; namespace?: string; labels: Record<string, string> };
          spec?: unknown;
          data?: Record<string, string>;
        },
    );
    const rule = docs.find((d) => d?.kind === "PrometheusRule")!;
    expect(rule.metadata.labels["release"]).toBe("kps");
    expect(rule.spec).toEqual(parse(readFileSync(join(CHART_DIR, "files", "alerts.yaml"), "utf8")));
    const dashboard = docs.find((d) => d?.kind === "ConfigMap" && d.metadata.name === "t-spillway-dashboard")!;
    expect(dashboard.metadata).toMatchObject({ namespace: "mon", labels: { grafana_dashboard: "1" } });
    expect(JSON.parse(dashboard.data!["spillway.json"]!)).toEqual(
      JSON.parse(readFileSync(join(CHART_DIR, "files", "dashboard.json"), "utf8")),
    );
    // Off by default.
    const plain = await helm(["template", "t", CHART_DIR, "--kube-version=1.34.0"]);
    expect(plain.stdout).not.toMatch(/PrometheusRule|grafana_dashboard/);
  });

  it("renders with helm template alone, no --kube-version (as CI linters and kustomize's Helm inflator run it)", async () => {
    const r = await helm(["template", "t", CHART_DIR]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("kind: Deployment");
  });

  it("sets each service's log level, extra environment and pod securityContext from values (OpenShift: no fixed UID)", async () => {
    const r = await helm([
      "template",
      "t",
      CHART_DIR,
      "--set",
      "defaults.podSecurityContext.runAsUser=null,defaults.podSecurityContext.runAsGroup=null,services.scheduler.logLevel=debug",
      "--set-json",
      'defaults.extraEnv=[{"name":"HTTPS_PROXY","value":"http://proxy:3128"}]',
    ]);
    expect(r.stderr).toBe("");
    const deployments = parseAllDocuments(r.stdout)
      .map(
        (d) =>
          d.toJSON() as {
            kind?: string;
            metadata: { name: string };
            spec: { template: { spec: { securityContext?: object; containers: Array<{ env: Array<{ name: string; value?: string }> }> } } };
          } | null,
      )
      .filter((d) => d?.kind === "Deployment");
    expect(deployments).toHaveLength(5);
    for (const d of deployments) {
      const pod = d!.spec.template.spec;
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      const env = Object.fromEntries(pod.containers[0]!.env.map((e) => [e.name, e.value]));
      expect(env["HTTPS_PROXY"]).toBe("http://proxy:3128");
      expect(env["LOG_LEVEL"]).toBe(d!.metadata.name === "t-spillway-scheduler" ? "debug" : "info");
    }
  });

  it("lets a namespace's editors create the fleet's workloads and its viewers read them (ClusterRole aggregation)", async () => {
    // The testbed's host runs only the garbage collector, namespace and service-account controllers,
    // so aggregation is proven where Kubernetes' ClusterRole aggregator runs: a member. The roles
    // need no CRDs there: RBAC decides on the resource's name.
    const roles = await helm(["template", "agg", CHART_DIR, "-s", "templates/aggregated-roles.yaml"]);
    expect(roles.stderr).toBe("");
    const ns = uniqueName("e2e-agg");
    await createNamespace("idc-1", ns);
    try {
      expect((await kubectl("idc-1", ["apply", "-f", "-"], roles.stdout)).code).toBe(0);
      for (const [user, role] of [
        ["alice", "edit"],
        ["bob", "view"],
      ] as const)
        expect((await kubectl("idc-1", ["create", "rolebinding", user, `--clusterrole=${role}`, `--user=${user}`, "-n", ns])).code).toBe(0);
      // The API server's own verdict (kubectl auth can-i cannot name a resource the server does not serve).
      const can = async (user: string, verb: string, resource: string) => {
        const [plural, subresource] = resource.split("/");
        const review = {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: { user, resourceAttributes: { namespace: ns, verb, group: "spillway.dev", resource: plural, subresource } },
        };
        const r = await kubectl("idc-1", ["create", "-f", "-", "-o", "json"], JSON.stringify(review));
        return (JSON.parse(r.stdout) as { status: { allowed: boolean } }).status.allowed ? "yes" : "no";
      };
      await eventually("edit aggregated", async () =>
        (await can("alice", "create", "federateddeployments")) === "yes" ? true : undefined,
      );
      const seen = {
        alice: [
          await can("alice", "create", "federatedhpas"),
          await can("alice", "patch", "federateddeployments/scale"),
          await can("alice", "create", "placements"),
        ],
        bob: [
          await can("bob", "list", "federatedstatefulsets"),
          await can("bob", "get", "placements"),
          await can("bob", "create", "federateddeployments"),
        ],
      };
      expect(seen).toEqual({ alice: ["yes", "yes", "no"], bob: ["yes", "yes", "no"] });
    } finally {
      await kubectl("idc-1", ["delete", "clusterrole", "agg-spillway-view", "agg-spillway-edit", "--ignore-not-found"]);
      await deleteNamespace("idc-1", ns);
    }
  });

  describe("install, upgrade and uninstall", () => {
    const ns = uniqueName("e2e-chart");
    const release = uniqueName("sw");
    beforeAll(() => createNamespace("host", ns));
    afterAll(async () => {
      await helm(["uninstall", release, "--namespace", ns, "--ignore-not-found"]);
      await deleteNamespace("host", ns);
    });

    it("a server-side dry run renders every object and creates none", async () => {
      const r = await helm(["install", release, CHART_DIR, "--namespace", ns, "--dry-run=server"]);
      expect(r.code).toBe(0);
      const kinds = [...r.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
      // One of each per service; two more ClusterRoles for view/edit aggregation.
      expect(kinds.filter((k) => k === "ClusterRole")).toHaveLength(7);
      for (const kind of ["Deployment", "ServiceAccount", "ClusterRoleBinding", "Role", "RoleBinding", "PodDisruptionBudget", "Service"]) {
        expect(kinds.filter((k) => k === kind)).toHaveLength(5);
      }
      const deployments = await json<{ items: unknown[] }>(["get", "deployments", "-n", ns]);
      expect(deployments.items).toHaveLength(0);
    });

    it("installs one hardened Deployment per service, two replicas each, and tells how to register a member", async () => {
      const r = await helm(["install", release, CHART_DIR, "--namespace", ns, "--set", "nats.url=nats://nats.example:4222"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`kubectl -n ${ns} create secret generic idc-1-kubeconfig`);
      expect(r.stdout).toContain("kind: MemberCluster");
      const list = await json<{ items: Deployment[] }>(["get", "deployments", "-n", ns]);
      expect(list.items.map((d) => d.metadata.name).sort()).toEqual(SERVICES.map((s) => `${release}-spillway-${s}`).sort());
      for (const d of list.items) {
        const pod = d.spec.template.spec;
        const c = pod.containers[0]!;
        const service = d.metadata.name.slice(`${release}-spillway-`.length);
        expect(d.spec.replicas).toBe(2);
        expect(pod.serviceAccountName).toBe(d.metadata.name);
        expect(c.command).toEqual(["node", `services/${service}/src/main.ts`]);
        expect(c.args).toEqual(expect.arrayContaining(["--nats-url=nats://nats.example:4222", `--lease-namespace=${ns}`]));
        expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
        expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
        expect(c.resources?.requests).toEqual({ cpu: "100m", memory: "256Mi" });
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(pod.affinity?.podAntiAffinity).toBeDefined();
      }
      const gateway = list.items.find((d) => d.metadata.name.endsWith("-cluster-gateway"))!;
      expect(gateway.spec.template.spec.containers[0]!.args).toContain(`--secrets-namespace=${ns}`);
      const hpa = list.items.find((d) => d.metadata.name.endsWith("-federated-hpa"))!;
      expect(hpa.spec.template.spec.containers[0]!.args).toEqual(
        expect.arrayContaining([
          `--gateway-addr=${release}-spillway-cluster-gateway.${ns}.svc:9090`,
          `--scheduler-addr=${release}-spillway-scheduler.${ns}.svc:9090`,
        ]),
      );
      const pdbs = await json<{ items: Array<{ spec: { maxUnavailable: number } }> }>(["get", "pdb", "-n", ns]);
      expect(pdbs.items.map((p) => p.spec.maxUnavailable)).toEqual([1, 1, 1, 1, 1]);
      const services = await json<{ items: Array<{ metadata: { name: string }; spec: { ports: Array<{ name: string }> } }> }>([
        "get",
        "services",
        "-n",
        ns,
      ]);
      const grpc = services.items.filter((s) => s.spec.ports.some((p) => p.name === "grpc")).map((s) => s.metadata.name);
      expect(grpc.sort()).toEqual([`${release}-spillway-cluster-gateway`, `${release}-spillway-scheduler`]);
    });

    it("upgrades to changed values in place", async () => {
      const r = await helm([
        "upgrade",
        release,
        CHART_DIR,
        "--namespace",
        ns,
        "--reuse-values",
        "--set",
        "defaults.replicas=3",
        "--set",
        "services.scheduler.replicas=1",
        "--set",
        "defaults.podAntiAffinity=required",
      ]);
      expect(r.code).toBe(0);
      const list = await json<{ items: Deployment[] }>(["get", "deployments", "-n", ns]);
      const replicas = Object.fromEntries(list.items.map((d) => [d.metadata.name.slice(`${release}-spillway-`.length), d.spec.replicas]));
      expect(replicas).toEqual({ "cluster-gateway": 3, scheduler: 1, "fleet-root": 3, "stateful-orchestrator": 3, "federated-hpa": 3 });
      expect(JSON.stringify(list.items[0]!.spec.template.spec.affinity)).toContain("requiredDuringSchedulingIgnoredDuringExecution");
      const status = JSON.parse((await helm(["status", release, "--namespace", ns, "-o", "json"])).stdout) as {
        version: number;
        info: { status: string };
      };
      expect(status).toMatchObject({ version: 2, info: { status: "deployed" } });
    });

    it("uninstalls everything it made, and leaves the CRDs (and so every user's objects) in place", async () => {
      const r = await helm(["uninstall", release, "--namespace", ns, "--wait"]);
      expect(r.code).toBe(0);
      expect(
        (
          await json<{ items: unknown[] }>([
            "get",
            "deployments,serviceaccounts,roles,rolebindings,pdb",
            "-n",
            ns,
            "-l",
            `app.kubernetes.io/instance=${release}`,
          ])
        ).items,
      ).toHaveLength(0);
      const roles = await json<{ items: Array<{ metadata: { name: string } }> }>(["get", "clusterroles,clusterrolebindings"]);
      expect(roles.items.filter((x) => x.metadata.name.startsWith(`${release}-spillway-`))).toHaveLength(0);
      const crds = await json<{ items: Array<{ metadata: { name: string } }> }>(["get", "crd"]);
      expect(
        crds.items
          .map((c) => c.metadata.name)
          .filter((n) => n.endsWith(".spillway.dev"))
          .sort(),
      ).toEqual([
        "federateddeployments.spillway.dev",
        "federatedhpas.spillway.dev",
        "federatedstatefulsets.spillway.dev",
        "memberclusters.spillway.dev",
        "placements.spillway.dev",
      ]);
    });
  });
});

describe("the API explains itself", () => {
  it.each([
    ["federateddeployment.spec"],
    ["federateddeployment.spec.placement"],
    ["federatedstatefulset.spec"],
    ["federatedhpa.spec"],
    ["membercluster.spec"],
    ["placement.spec"],
  ])("kubectl explain %s describes every field", async (path) => {
    const r = await kubectl("host", ["explain", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("DESCRIPTION:");
    expect(r.stdout).not.toContain("<no description>");
  });

  it("tells a new user what placement.tierOrder does", async () => {
    const r = await kubectl("host", ["explain", "federateddeployment.spec.placement.tierOrder"]);
    expect(r.stdout.replace(/\s+/g, " ")).toContain("IDC members fill first, cloud takes only the overflow");
  });
});

async function rightsOf(user: string, namespace: string): Promise<Set<string>> {
  const r = await kubectl("host", ["auth", "can-i", "--list", `--as=${user}`, "-n", namespace, "--no-headers"]);
  if (r.code !== 0) throw new Error(`can-i --list as ${user}: ${r.stderr}`);
  return parseCanIList(r.stdout);
}

describe("least-privilege RBAC, one ServiceAccount per service", () => {
  const allowlist = parse(readFileSync(join(repoRoot, "e2e", "src", "rbac-allowlist.yaml"), "utf8")) as Record<
    ServiceName,
    { release: string[]; elsewhere: string[] }
  >;
  const other = uniqueName("e2e-rbac");
  beforeAll(() => createNamespace("host", other));
  afterAll(() => deleteNamespace("host", other));

  it.each(SERVICES.map((s) => [s]))("%s may do exactly what the allowlist says, in its namespace and elsewhere", async (service) => {
    // What every authenticated user may do (discovery, self reviews) is not the chart's to grant.
    const everyone = await rightsOf(`system:serviceaccount:${other}:default`, other);
    const user = `system:serviceaccount:${RELEASE_NAMESPACE}:${RELEASE}-${service}`;
    const granted = async (ns: string) => [...(await rightsOf(user, ns))].filter((x) => !everyone.has(x)).sort();
    expect(await granted(RELEASE_NAMESPACE)).toEqual([...allowlist[service].release].sort());
    expect(await granted(other)).toEqual([...allowlist[service].elsewhere].sort());
  });

  it("the comparison sees every kind of grant: URLs, and rules naming several objects", async () => {
    const sa = "rbac-probe";
    const grants = [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: sa, namespace: other } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: sa, namespace: other },
        rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["b", "a"], verbs: ["get"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: sa, namespace: other },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sa },
        subjects: [{ kind: "ServiceAccount", name: sa, namespace: other }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: `${other}-${sa}` },
        rules: [{ nonResourceURLs: ["/spillway-probe"], verbs: ["get"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${other}-${sa}` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${other}-${sa}` },
        subjects: [{ kind: "ServiceAccount", name: sa, namespace: other }],
      },
    ];
    const r = await kubectl("host", ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: grants }));
    expect(r.stderr).toBe("");
    try {
      const everyone = await rightsOf(`system:serviceaccount:${other}:default`, other);
      const granted = [...(await rightsOf(`system:serviceaccount:${other}:${sa}`, other))].filter((x) => !everyone.has(x)).sort();
      // kubectl prints a rule naming objects one line per name: each is seen, with its name.
      expect(granted).toEqual(["configmaps[a]: get", "configmaps[b]: get", "nonResourceURLs[/spillway-probe]: get"]);
    } finally {
      await kubectl("host", ["delete", "clusterrole,clusterrolebinding", `${other}-${sa}`, "--ignore-not-found"]);
    }
    expect(() => parseCanIList("something else entirely\n")).toThrow("cannot read");
  });

  it("a service's own token is refused what its role does not name", async () => {
    const as = (service: ServiceName, args: string[]) =>
      runKubectl({ context: "host", kubeconfig: identityKubeconfig(service), bin: kubectlBin }, args);
    const secret = "idc-1-kubeconfig";
    // Member kubeconfigs: the gateway reads them in its namespace only; the scheduler never.
    expect((await as("cluster-gateway", ["get", "secret", secret, "-n", RELEASE_NAMESPACE, "-o", "name"])).stdout.trim()).toBe(
      `secret/${secret}`,
    );
    const refusals: Array<[ServiceName, string[], string]> = [
      // The gateway stores the fleet API's fleet-level objects on the host, but never touches RBAC or workloads' members.
      [
        "cluster-gateway",
        ["create", "clusterrolebinding", uniqueName("nope"), "--clusterrole=view", "--user=x"],
        `cannot create resource "clusterrolebindings"`,
      ],
      ["scheduler", ["get", "secret", secret, "-n", RELEASE_NAMESPACE], `cannot get resource "secrets"`],
      // fleet-root reads Secrets everywhere (they follow workloads into members) but never writes one.
      ["fleet-root", ["delete", "secret", secret, "-n", RELEASE_NAMESPACE], `cannot delete resource "secrets"`],
      ["stateful-orchestrator", ["get", "secrets", "-n", other], `cannot list resource "secrets"`],
      ["federated-hpa", ["delete", "federateddeployment", "web", "-n", other], `cannot delete resource "federateddeployments"`],
      ["scheduler", ["get", "pods", "-A"], `cannot list resource "pods"`],
      ["fleet-root", ["create", "namespace", uniqueName("nope")], `cannot create resource "namespaces"`],
    ];
    for (const [service, args, message] of refusals) {
      const r = await as(service, args);
      expect({ service, args, code: r.code, forbidden: r.stderr.includes("Forbidden") || r.stderr.includes("forbidden") }).toEqual({
        service,
        args,
        code: 1,
        forbidden: true,
      });
      expect(r.stderr).toContain(message);
    }
  });
});
