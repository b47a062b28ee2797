/**
 * The container image, built from ./Dockerfile without a Docker engine (scripts/build-image.sh:
 * buildah, and a Node base made with debootstrap where no registry is reachable), then run: what
 * it holds, who it runs as, and cluster-gateway started from it with the chart's command line
 * (`node services/cluster-gateway/src/main.ts`) and its chart ServiceAccount's token, serving the
 * real members of the testbed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ClusterRegistry, createClient } from "@spillway/proto";
import { bin, buildah, buildahEnv, buildImage, identityKubeconfig } from "@spillway/testbed";
import { natsUrl, repoRoot } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { freePort, grantLeasesIn } from "./service-process.ts";
import { MEMBERS } from "./rollout-services.ts";

const TAG = "localhost/spillway:e2e";
/** A shell command inside a fresh container of the image. */
function inImage(script: string): string {
  const ctr = buildah(["from", "--quiet", TAG]).stdout.trim();
  try {
    const r = buildah(["run", ctr, "--", "sh", "-c", script]);
    if (r.code !== 0) throw new Error(`in the image: ${script}: ${r.stderr}`);
    return r.stdout;
  } finally {
    buildah(["rm", ctr]);
  }
}

// Building needs root (buildah's chroot isolation and vfs storage; Debian packages when missing).
const describeAsRoot = process.getuid?.() === 0 ? describe : describe.skip;
if (process.getuid?.() !== 0) console.warn("skipped the image suite: building an image without a Docker engine needs root (buildah)");

describeAsRoot("the container image", () => {
  beforeAll(() => buildImage(TAG), 900_000);

  it("runs as the chart's non-root user on the pinned Node, with production dependencies only", () => {
    const [uid, node, jest, typescript, tests, runtime] = inImage(
      "id -u; node --version; ls /app/node_modules/.pnpm | grep -c '^jest@' || true; ls /app/node_modules/.pnpm | grep -c '^typescript@' || true; find /app/packages /app/services -name '*.test.ts' | wc -l; test -f /app/node_modules/.pnpm/node_modules/@kubernetes/client-node/package.json && echo client-node",
    )
      .trim()
      .split("\n");
    expect(uid).toBe("65532");
    expect(node).toBe(`v${readFileSync(join(repoRoot, ".nvmrc"), "utf8").trim()}`);
    expect([jest, typescript, tests]).toEqual(["0", "0", "0"]);
    expect(runtime).toBe("client-node");
  });

  it("ships the fleet apiserver: the same build the testbed runs, and no test code", () => {
    const [version, sum, testFiles, testingDirs] = inImage(
      "fleet-apiserver --version; sha256sum /usr/local/bin/fleet-apiserver | cut -d' ' -f1; find /app/testbed /app/demo /app/cmd /app/e2e -path '*/node_modules' -prune -o -type f ! -name package.json -print 2>/dev/null | wc -l; find /app -path /app/node_modules -prune -o -type d -name testing -print | wc -l",
    )
      .trim()
      .split("\n");
    expect(version).toMatch(/^Kubernetes v1\.\d+\.\d+$/);
    expect(sum).toBe(
      createHash("sha256")
        .update(readFileSync(bin("fleet-apiserver")))
        .digest("hex"),
    );
    expect([testFiles, testingDirs]).toEqual(["0", "0"]);
  });

  describe("cluster-gateway from the image, with the chart's command and ServiceAccount", () => {
    const leaseNs = uniqueName("e2e-image-lease");
    let child: ChildProcess | undefined;
    let ctr = "";
    let output = "";
    beforeAll(() => createNamespace("host", leaseNs));
    afterAll(async () => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      if (ctr) buildah(["rm", ctr]);
      await deleteNamespace("host", leaseNs);
    });

    it("connects to every member, leads through its Lease, and stops cleanly on SIGTERM", async () => {
      // The gateway's Lease rule, granted in this suite's lease namespace from the chart's own Role.
      await grantLeasesIn(leaseNs, "cluster-gateway");
      const [health, grpcPort] = [await freePort(), await freePort()];
      // As a pod's projected token, readable by the container's non-root user (the testbed keeps
      // its copy 0600 for root).
      const identities = mkdtempSync(join(tmpdir(), "spillway-image-"));
      copyFileSync(identityKubeconfig("cluster-gateway"), join(identities, "cluster-gateway.kubeconfig"));
      chmodSync(identities, 0o755);
      chmodSync(join(identities, "cluster-gateway.kubeconfig"), 0o644);
      ctr = buildah(["from", "--quiet", "--volume", `${identities}:/identities:ro`, TAG]).stdout.trim();
      // buildah run with the host network: the testbed's API servers and NATS listen on loopback.
      child = spawn(
        "buildah",
        [
          "run",
          "--network",
          "host",
          "--workingdir",
          "/app",
          ctr,
          "--",
          "node",
          "services/cluster-gateway/src/main.ts",
          "--kubeconfig=/identities/cluster-gateway.kubeconfig",
          "--context=host",
          `--nats-url=${natsUrl}`,
          `--health-addr=127.0.0.1:${health}`,
          `--grpc-addr=127.0.0.1:${grpcPort}`,
          `--lease-namespace=${leaseNs}`,
          "--identity=from-the-image",
        ],
        { env: buildahEnv, stdio: ["ignore", "pipe", "pipe"] },
      );
      child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));

      await eventually(
        "the gateway in the image ready",
        async () => {
          if (child!.exitCode !== null) throw new Error(`exited ${child!.exitCode}:\n${output}`);
          return (await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
        },
        60_000,
      );
      const registry = createClient(ClusterRegistry, `127.0.0.1:${grpcPort}`);
      try {
        const ready = await eventually(
          "every member connected",
          async () => {
            const clusters = (await registry.listClusters({})).clusters;
            return clusters.filter((c) => c.ready).length === MEMBERS.length ? clusters.map((c) => c.name).sort() : undefined;
          },
          60_000,
        );
        expect(ready).toEqual([...MEMBERS].sort());
      } finally {
        registry.close();
      }
      const holder = await eventually(
        "its Lease",
        async () => {
          const r = await kubectl("host", ["get", "lease", "-n", leaseNs, "-o", "jsonpath={.items[*].spec.holderIdentity}"]);
          return r.stdout.trim() || undefined;
        },
        30_000,
      );
      expect(holder).toBe("from-the-image");
      // buildah run does not pass signals on: SIGTERM goes to the service's own process, as the
      // kubelet's does (buildah's chroot isolation shares the host's process table).
      const pid = spawnSync("pgrep", ["-f", "^/usr/local/bin/node services/cluster-gateway/src/main.ts .*--identity=from-the-image"], {
        encoding: "utf8",
      }).stdout.trim();
      expect(pid).toMatch(/^\d+$/);
      process.kill(Number(pid), "SIGTERM");
      expect(await exited).toBe(0);
      // It released its Lease on the way out, so a standby would not wait for it to expire.
      const after = await kubectl("host", ["get", "lease", "-n", leaseNs, "-o", "jsonpath={.items[*].spec.holderIdentity}"]);
      expect(after.stdout.trim()).toBe("");
    });
  });
});
