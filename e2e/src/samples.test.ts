/**
 * Every sample applies alone, as a user would first try it: `kubectl apply -f samples/X.yaml` on
 * the host (the fleet API's for the one written for it) with nothing else applied before — its
 * Namespace included, every object accepted by the CRDs' validation. Namespaces get a suffix of
 * this run (so a run never meets the last run's namespace still terminating), nothing else
 * changes; every object is removed again before the next, so no service of a later suite acts on it.
 */
import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { repoRoot } from "./env.ts";
import { uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";

const dir = join(repoRoot, "samples");
/** Applied through the fleet API (e2e: fleet-workloads.test.ts); the rest go to the host. */
const THROUGH_THE_FLEET = ["native-app.yaml"];

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The sample with each namespace it makes renamed `<ns>-<suffix>`, and the objects it holds. */
function renamed(file: string, suffix: string): { yaml: string; docs: Doc[] } {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJSON() as Doc);
  const own = new Set(docs.filter((d) => d.kind === "Namespace").map((d) => d.metadata.name));
  // A sample that uses a namespace it does not make (spillway-system) keeps it: it exists where Spillway runs.
  const rename = (ns: string) => (own.has(ns) ? `${ns}-${suffix}` : ns);
  for (const d of docs) {
    if (d.kind === "Namespace") d.metadata.name = rename(d.metadata.name);
    else if (d.metadata.namespace) d.metadata.namespace = rename(d.metadata.namespace);
  }
  return { yaml: docs.map((d) => stringify(d)).join("---\n"), docs };
}

describe("samples", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

  it("covers the README's stories", () => {
    expect(files.sort()).toEqual(
      expect.arrayContaining([
        "gpu-inference.yaml",
        "member-cluster.yaml",
        "native-app.yaml",
        "overrides.yaml",
        "pinned-shards.yaml",
        "rollout.yaml",
        "scale-to-zero.yaml",
        "search-shards.yaml",
        "web-burst.yaml",
      ]),
    );
  });

  it.each(files.filter((f) => !THROUGH_THE_FLEET.includes(f)))("%s applies alone on the host", async (file) => {
    const { yaml, docs } = renamed(file, uniqueName("s").slice(2));
    const applied = await kubectl("host", ["apply", "-f", "-"], yaml);
    try {
      expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: "" });
      const got = await kubectl("host", ["get", "-f", "-", "-o", "name"], yaml);
      expect(got.stdout.trim().split("\n")).toHaveLength(docs.length);
    } finally {
      const workloads = docs.filter((d) => d.kind !== "Namespace");
      if (workloads.length)
        await kubectl(
          "host",
          ["delete", "-f", "-", "--ignore-not-found", "--wait=true", "--timeout=60s"],
          workloads.map((d) => stringify(d)).join("---\n"),
        );
      for (const d of docs.filter((x) => x.kind === "Namespace"))
        await kubectl("host", ["delete", "namespace", d.metadata.name, "--wait=false"]);
    }
  });
});
