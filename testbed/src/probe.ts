/** HTTP(S) probes for readiness; the testbed's serving certs are self-signed, so TLS is not verified here. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export function probe(url: string, token?: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(
      u,
      { method: "GET", rejectUnauthorized: false, timeout: timeoutMs, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout probing ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

export const probeOk = async (url: string, token?: string) => (await probe(url, token)).status === 200;
