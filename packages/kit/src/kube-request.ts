/**
 * One JSON request to a Kubernetes API server with a kubeconfig's credentials, for paths the typed
 * clients do not cover (metrics APIs, any resource by its path, subresources). Errors carry the
 * HTTP status as `code` (so `isNotFound`/`isConflict` apply) and the API's own message.
 */
import { request, type RequestOptions } from "node:https";
import { request as httpRequest } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";

export interface KubeRequest {
  method?: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  path: string;
  body?: unknown;
  /** What the request is about, for error messages (`pods web/a in idc-1`). */
  what: string;
  timeoutMs?: number;
}

export class KubeRequestError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  constructor(code: number, message: string, reason?: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export async function kubeRequest(kc: KubeConfig, req: KubeRequest): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`unable to reach the API for ${req.what}: the kubeconfig names no cluster`);
  const url = new URL(req.path, cluster.server);
  const method = req.method ?? "GET";
  const failed = `unable to ${method.toLowerCase()} ${req.what}`;
  const timeoutMs = req.timeoutMs ?? 10_000;
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const opts: RequestOptions = {
    method,
    timeout: timeoutMs,
    headers: {
      Accept: "application/json",
      ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
    },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const r = (url.protocol === "https:" ? request : httpRequest)(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      // An answer cut off mid-body (the server's own request timeout aborts a long list that way,
      // or the connection dies) never ends: without this the caller would wait forever.
      res.on("close", () => {
        if (!res.complete) reject(new Error(`${failed}: the answer was cut off after ${chunks.reduce((n, c) => n + c.length, 0)} bytes`));
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          if (body === undefined && text) return reject(new Error(`${failed}: the answer is not JSON`));
          return resolve(body);
        }
        const status = body as { message?: string; reason?: string } | undefined;
        const message = status?.message ?? text.slice(0, 300);
        reject(new KubeRequestError(code, `${failed}: ${code} ${message}`, status?.reason));
      });
    });
    r.on("timeout", () => r.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    // Which request failed, with the transport's code kept for those who classify failures.
    r.on("error", (err: NodeJS.ErrnoException) =>
      reject(Object.assign(new Error(`${failed}: ${err.message}`, { cause: err }), { code: err.code })),
    );
    if (payload) r.write(payload);
    r.end();
  });
}
