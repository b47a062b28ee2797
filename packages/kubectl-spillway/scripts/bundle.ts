/**
 * The plugin as a user installs it without the repo: one JavaScript file (every dependency
 * inside; Node >= 22.19), the `kubectl-spillway` launcher kubectl runs, the completion helper, a
 * tarball of the three, and a krew manifest for that tarball (`kubectl krew install --manifest=dist/spillway.yaml
 * --archive=dist/kubectl-spillway.tar.gz`). KREW_URI names where the tarball will be published.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { VERSION } from "../src/version.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// CommonJS (.cjs): the same module kind wherever it is put, so the Node version check below runs
// before any dependency loads.
await build({
  entryPoints: [join(root, "src", "entry.ts")],
  outfile: join(dist, "kubectl-spillway.cjs"),
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  legalComments: "inline",
  logLevel: "warning",
  banner: {
    js: [
      "// kubectl-spillway " + VERSION + ", built from the Spillway repository (packages/kubectl-spillway).",
      'if (!((v) => v[0] > 22 || (v[0] === 22 && v[1] >= 19))(process.versions.node.split(".").map(Number))) {',
      "  process.stderr.write(`kubectl-spillway needs Node.js >= 22.19 (this is ${process.version})\\n`);",
      "  process.exit(1);",
      "}",
    ].join("\n"),
  },
});
// kubectl runs plugins by name, so the launcher has none: it runs the bundle beside it (through
// krew's symlink too) with the node on PATH.
writeFileSync(join(dist, "kubectl-spillway"), '#!/bin/sh\nexec node "$(dirname "$(readlink -f "$0")")/kubectl-spillway.cjs" "$@"\n', {
  mode: 0o755,
});
copyFileSync(join(root, "bin", "kubectl_complete-spillway"), join(dist, "kubectl_complete-spillway"));
chmodSync(join(dist, "kubectl_complete-spillway"), 0o755);

const archive = join(dist, "kubectl-spillway.tar.gz");
execFileSync("tar", ["-czf", archive, "-C", dist, "kubectl-spillway", "kubectl-spillway.cjs", "kubectl_complete-spillway"]);
const sha256 = createHash("sha256").update(readFileSync(archive)).digest("hex");
const uri = process.env["KREW_URI"] ?? `https://example.invalid/spillway/v${VERSION}/kubectl-spillway.tar.gz`;
const platform = (os: string, arch: string) => `  - selector:
      matchLabels:
        os: ${os}
        arch: ${arch}
    uri: ${uri}
    sha256: ${sha256}
    files:
      - from: "*"
        to: "."
    bin: kubectl-spillway`;
writeFileSync(
  join(dist, "spillway.yaml"),
  `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: spillway
spec:
  version: v${VERSION}
  homepage: https://spillway.dev
  shortDescription: The Spillway fleet from kubectl
  description: |
    Members best-ranked first with their free capacity, where a federated workload's replicas
    and ordinals are and why, fleet-wide rollout status, scheduler dry runs, fencing a member.
    Needs Node.js >= 22.19 on PATH.
  caveats: |
    For completion of \`kubectl spillway <TAB>\`, put kubectl_complete-spillway (in the plugin's
    directory, \`kubectl krew info spillway\`) on PATH.
  platforms:
${["amd64", "arm64"].flatMap((arch) => ["linux", "darwin"].map((os) => platform(os, arch))).join("\n")}
`,
);
process.stdout.write(`${archive} (sha256 ${sha256})\n${join(dist, "spillway.yaml")}\n`);
