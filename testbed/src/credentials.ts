/**
 * Credentials of the testbed: one admin bearer token per cluster (in `system:masters`, from a
 * static token file) and a service-account signing key pair. The apiservers generate their own
 * self-signed serving certificates; the kubeconfig pins each one as that cluster's CA.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export interface ClusterCredentials {
  token: string;
  tokenFile: string;
  saKey: string;
  saPub: string;
}

export function writeCredentials(dir: string): ClusterCredentials {
  mkdirSync(dir, { recursive: true });
  const token = randomBytes(24).toString("hex");
  const tokenFile = join(dir, "tokens.csv");
  writeFileSync(tokenFile, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return { token, tokenFile, ...writeServiceAccountKeys(dir) };
}

/** A service-account signing key pair in `dir` (sa.key, sa.pub), made once and kept. */
export function writeServiceAccountKeys(dir: string): Pick<ClusterCredentials, "saKey" | "saPub"> {
  mkdirSync(dir, { recursive: true });
  const saKey = join(dir, "sa.key");
  const saPub = join(dir, "sa.pub");
  if (!existsSync(saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  }
  return { saKey, saPub };
}

export interface KubeconfigEntry {
  name: string;
  server: string;
  caFile: string;
  token: string;
}

/** A kubeconfig with one context per entry (context, cluster and user share the entry's name). */
export function kubeconfigYaml(entries: KubeconfigEntry[], currentContext: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": currentContext,
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: { server: e.server, "certificate-authority-data": Buffer.from(readFileSync(e.caFile)).toString("base64") },
    })),
    users: entries.map((e) => ({ name: e.name, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: e.name } })),
  });
}
